import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../../common/auth/auth.decorators.js';
import { ErrorView } from '../../common/openapi/error.view.js';
import { DASHBOARD_FILES, DashboardAssets, type Asset } from './dashboard-assets.js';

function send(res: Response, asset: Asset): string {
  res.setHeader('content-type', asset.contentType);
  res.setHeader('cache-control', 'no-cache');
  return asset.body;
}

/** The operator dashboard: a static page; everything it shows comes from the API with the key the operator enters. */
@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller()
export class DashboardController {
  constructor(private readonly assets: DashboardAssets) {}

  @Get()
  @ApiOperation({ summary: 'The operator dashboard (HTML): asks for an API key, then shows the toggle, jobs, audit trail and policy rules live' })
  @ApiOkResponse({ description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } })
  page(@Res({ passthrough: true }) res: Response): string {
    return send(res, this.assets.get('index.html')!);
  }

  @Get('dashboard/:file')
  @ApiOperation({ summary: "The dashboard's script and stylesheet" })
  @ApiParam({ name: 'file', enum: Object.keys(DASHBOARD_FILES) })
  @ApiOkResponse({ description: 'the file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } }, 'text/html': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 404, description: 'NOT_FOUND: not a dashboard file', type: ErrorView })
  asset(@Param('file') file: string, @Res({ passthrough: true }) res: Response): string {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundException('not a dashboard file');
    return send(res, asset);
  }
}
