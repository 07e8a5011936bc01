import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../../common/auth/auth.decorators.js';
import { MetricsRegistry } from './metrics-registry.js';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Public()
  @SkipThrottle()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format): jobs, claim latency, job duration, policy decisions, domain events, HTTP latency' })
  @ApiOkResponse({
    description: 'Prometheus text format 0.0.4',
    content: { 'text/plain': { schema: { type: 'string', example: '# HELP agent_jobs …\n# TYPE agent_jobs gauge\nagent_jobs{status="pending",type="send_reminder"} 3\n' } } },
  })
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    const body = await this.metrics.metrics();
    res.type(this.metrics.contentType());
    return body;
  }
}
