import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { Caller, type RequestContext } from '../../../common/http/request-context.js';
import { tenantFilter } from '../../../common/auth/tenant-scope.js';
import { ApiErrors, ApiProtected } from '../../../common/openapi/api-errors.decorator.js';
import { JobIdParam } from '../../jobs/dto/job-id.param.js';
import { JobView, toJobView } from '../../jobs/dto/job.view.js';
import { JobQueue } from '../../jobs/job-queue.service.js';
import { RequiresPolicy } from '../../policy/guard/requires-policy.decorator.js';
import { RetryJobPolicyTarget } from './retry-job.policy-target.js';

/**
 * `POST /api/jobs/:id/retry` lives here, not in the jobs module: running a job again is an action
 * the policy engine must allow, and only the autonomy module may depend on both jobs and policy.
 */
@ApiTags('jobs')
@ApiProtected()
@Controller('api/jobs')
export class JobRetryController {
  constructor(private readonly queue: JobQueue) {}

  @Post(':id/retry')
  @HttpCode(200)
  @RequiresPolicy(RetryJobPolicyTarget)
  @ApiOperation({ summary: "Run a failed or cancelled job again (attempts reset), if the policy allows the job's action now" })
  @ApiOkResponse({ type: JobView })
  @ApiErrors({
    400: 'VALIDATION_FAILED: id is not a uuid',
    403: "POLICY_DENIED: the policy engine denies the job's action now (kill switch, a deny rule, default deny); `details.decision` explains",
    404: 'JOB_NOT_FOUND (or another tenant’s job)',
    409: 'INVALID_STATE (not failed/cancelled) or DUPLICATE_JOB (its dedupe key is taken)',
  })
  async retry(@Param() p: JobIdParam, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext): Promise<JobView> {
    return toJobView(await this.queue.retry(p.id, { tenantId: tenantFilter(principal), context: caller }));
  }
}
