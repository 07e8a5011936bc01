import { Injectable, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../../common/auth/principal.js';
import { tenantFilter } from '../../../common/auth/tenant-scope.js';
import { JobQueue } from '../../jobs/job-queue.service.js';
import { JobsException } from '../../jobs/jobs.exception.js';
import type { PolicyTarget, PolicyTargetResolver } from '../../policy/guard/requires-policy.decorator.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What retrying a job by hand is, for the policy engine: the job's own action (its type), for its
 * tenant and appointment. An id that is malformed, unknown or another tenant's resolves to nothing,
 * so the handler answers it (400 or 404) as it would without the guard.
 */
@Injectable()
export class RetryJobPolicyTarget implements PolicyTargetResolver {
  constructor(private readonly queue: JobQueue) {}

  async resolve(ctx: ExecutionContext): Promise<PolicyTarget | null> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest & { params: Record<string, string | undefined> }>();
    const id = req.params.id;
    if (!req.principal || !id || !UUID.test(id)) return null;
    try {
      const job = await this.queue.get(id, tenantFilter(req.principal));
      return { action: job.type, tenantId: job.tenant_id, context: job.appointment_id ? { appointment_id: job.appointment_id } : {} };
    } catch (e) {
      if (e instanceof JobsException) return null;
      throw e;
    }
  }
}
