import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { Caller, type RequestContext } from '../../common/http/request-context.js';
import { scopeTenant, tenantFilter } from '../../common/auth/tenant-scope.js';
import { decodeCursor, encodeCursor } from '../../common/http/cursor.js';
import { ApiErrors, ApiProtected } from '../../common/openapi/api-errors.decorator.js';
import { JobIdParam } from './dto/job-id.param.js';
import { JobDetailView, JobPageView, JobView, toHistoryView, toJobView } from './dto/job.view.js';
import { ListJobsQuery } from './dto/list-jobs.query.js';
import { JobQueue } from './job-queue.service.js';

/**
 * List, inspect and cancel jobs. Retrying a job is an action the policy engine must allow, so
 * `POST /api/jobs/:id/retry` is served by the autonomy module (JobRetryController).
 */
@ApiTags('jobs')
@ApiProtected()
@Controller('api/jobs')
export class JobsController {
  constructor(private readonly queue: JobQueue) {}

  @Get()
  @ApiOperation({ summary: 'List jobs, newest first (keyset pagination)' })
  @ApiOkResponse({ type: JobPageView })
  @ApiErrors({ 400: 'invalid filter or cursor (names the field)', 404: "a tenant key naming another tenant's id" })
  async list(@Query() q: ListJobsQuery, @CurrentPrincipal() principal: Principal): Promise<JobPageView> {
    const tenantId = principal.kind === 'tenant' ? scopeTenant(principal, q.tenant_id) : q.tenant_id;
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor);
    const rows = await this.queue.list({
      tenantId,
      status: q.status,
      type: q.type,
      appointmentId: q.appointment_id,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      limit,
      after: after ? { createdAt: after.key, id: after.id } : undefined,
    });
    const last = rows[rows.length - 1];
    return { items: rows.map(toJobView), next_cursor: rows.length === limit && last ? encodeCursor(last.cursor_key, last.id) : null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One job with its history (the audit entries of its transitions)' })
  @ApiOkResponse({ type: JobDetailView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: id is not a uuid', 404: 'JOB_NOT_FOUND (or another tenant’s job)' })
  async get(@Param() p: JobIdParam, @CurrentPrincipal() principal: Principal): Promise<JobDetailView> {
    const job = await this.queue.get(p.id, tenantFilter(principal));
    const history = await this.queue.history(job.id);
    return { ...toJobView(job), history: history.map(toHistoryView) };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a pending job' })
  @ApiOkResponse({ type: JobView })
  @ApiErrors({
    400: 'VALIDATION_FAILED: id is not a uuid',
    404: 'JOB_NOT_FOUND (or another tenant’s job)',
    409: 'JOB_CLAIMED (running: it cannot be cancelled) or INVALID_STATE (already finished)',
  })
  async cancel(@Param() p: JobIdParam, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext): Promise<JobView> {
    return toJobView(await this.queue.cancel(p.id, { tenantId: tenantFilter(principal), reason: `cancelled by ${principal.actor}`, context: caller }));
  }
}
