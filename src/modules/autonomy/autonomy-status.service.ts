import { Injectable } from '@nestjs/common';
import { JobQueue } from '../jobs/job-queue.service.js';
import type { AutonomyStatusView, RuntimeInstanceView } from './dto/autonomy-status.view.js';
import { RuntimeInstanceRegistry } from './instances/runtime-instance.registry.js';
import { AutonomySettingsService } from './settings/autonomy-settings.service.js';
import { ToolRegistry } from './tools/tool-registry.js';

/** Who is looking: the admin sees the cluster's instances; a tenant sees its own scope only. */
export interface StatusScope {
  admin: boolean;
  tenantId?: string;
}

/** What an operator sees of the runtime (GET /api/autonomy and the socket's `autonomy:status`). */
@Injectable()
export class AutonomyStatusService {
  constructor(
    private readonly settings: AutonomySettingsService,
    private readonly instances: RuntimeInstanceRegistry,
    private readonly queue: JobQueue,
    private readonly tools: ToolRegistry,
  ) {}

  async status(scope: StatusScope): Promise<AutonomyStatusView> {
    const { tenantId } = scope;
    const snap = this.settings.snapshot();
    const [counts, next, instances] = await Promise.all([
      this.queue.countByStatus(tenantId),
      this.queue.nextRunAt(tenantId),
      scope.admin ? this.instanceViews() : Promise.resolve(undefined),
    ]);
    return {
      viewer: { kind: scope.admin ? 'admin' : 'tenant', tenant_id: scope.admin ? null : (tenantId ?? null) },
      master_switch: this.settings.masterSwitch,
      mode: {
        global: this.settings.effectiveMode(null),
        global_setting: snap.global,
        ...(tenantId ? { tenant: { tenant_id: tenantId, effective: this.settings.effectiveMode(tenantId), setting: snap.tenants.find((t) => t.tenant_id === tenantId)?.mode ?? null } } : {}),
        tenants: tenantId ? snap.tenants.filter((t) => t.tenant_id === tenantId) : snap.tenants,
      },
      runner: this.instances.runnerState(),
      ...(instances ? { instances } : {}),
      jobs: { by_status: counts, next_run_at: next?.toISOString() ?? null },
      tools: this.tools.all().map((t) => ({ name: t.name, action: t.action, description: t.description })),
    };
  }

  private async instanceViews(): Promise<RuntimeInstanceView[]> {
    const self = this.instances.instanceId;
    return (await this.instances.list()).map((r) => ({
      instance_id: r.instance_id,
      role: r.role,
      hostname: r.hostname,
      pid: r.pid,
      started_at: r.started_at,
      heartbeat_at: r.heartbeat_at,
      age_ms: r.age_ms,
      self: r.instance_id === self,
      runner: r.state,
    }));
  }
}
