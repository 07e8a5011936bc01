import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { ErrorView } from '../openapi/error.view.js';

export class HealthView {
  @ApiProperty({ example: 'ok' }) status!: string;
  @ApiProperty({ example: 'up' }) database!: string;
  @ApiProperty({ example: 0.42, description: 'round trip of SELECT 1' }) database_ms!: number;
  @ApiProperty({ example: 3600 }) uptime_s!: number;
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @Public()
  @SkipThrottle()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness and database reachability' })
  @ApiOkResponse({ type: HealthView })
  @ApiResponse({ status: 503, description: 'the database is unreachable', type: ErrorView })
  async health(): Promise<HealthView> {
    const t = process.hrtime.bigint();
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException({ status: 'degraded', database: 'down' });
    }
    return { status: 'ok', database: 'up', database_ms: Number(process.hrtime.bigint() - t) / 1e6, uptime_s: Math.round(process.uptime()) };
  }
}
