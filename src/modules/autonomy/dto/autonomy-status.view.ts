import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_STATUSES } from '../../jobs/job.types.js';

const MODES = ['on', 'off', 'shadow'];

export class ViewerView {
  @ApiProperty({ enum: ['admin', 'tenant'] }) kind!: 'admin' | 'tenant';
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: "a tenant key's tenant; null for the admin" }) tenant_id!: string | null;
}

export class TenantModeSettingView {
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ enum: MODES }) mode!: string;
  @ApiProperty({ type: String, format: 'date-time' }) updated_at!: Date;
  @ApiProperty({ example: 'admin' }) updated_by!: string;
}

export class TenantModeView {
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ enum: MODES, description: 'what applies to the tenant: off while the master switch is off, else its override, else the global mode' }) effective!: string;
  @ApiProperty({ enum: MODES, nullable: true, type: String, description: "the tenant's own override, if any" }) setting!: string | null;
}

export class AutonomyModeView {
  @ApiProperty({ enum: MODES, description: 'effective global mode (off while the master switch is off)' }) global!: string;
  @ApiProperty({ enum: MODES, description: 'the persisted global toggle' }) global_setting!: string;
  @ApiPropertyOptional({ type: TenantModeView, description: 'present when a tenant is in scope (a tenant key, or `tenant_id` given)' }) tenant?: TenantModeView;
  @ApiProperty({ type: [TenantModeSettingView], description: 'per-tenant overrides in scope' }) tenants!: TenantModeSettingView[];
}

export class RunnerStateView {
  @ApiProperty({ description: 'the claim loop is running (false for APP_ROLE=api)' }) running!: boolean;
  @ApiProperty({ description: 'jobs executed at once (AGENT_MAX_CONCURRENT_JOBS)' }) concurrency!: number;
  @ApiProperty({ description: 'jobs executing now' }) in_flight!: number;
  @ApiProperty({ description: 'claim-loop interval (AGENT_JOB_POLL_INTERVAL_MS)' }) poll_interval_ms!: number;
  @ApiProperty({ description: 'lease of a claimed job' }) lease_ms!: number;
  @ApiProperty({ description: 'woken by LISTEN/NOTIFY besides the poll' }) listening!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'last successful claim query' }) last_claim_at!: string | null;
}

export class RuntimeInstanceView {
  @ApiProperty({ example: 'host-1:4242:a1b2c3', description: "the runner's worker id (`jobs.worker_id`)" }) instance_id!: string;
  @ApiProperty({ enum: ['all', 'api', 'worker'] }) role!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty() pid!: number;
  @ApiProperty({ type: String, format: 'date-time' }) started_at!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) heartbeat_at!: Date;
  @ApiProperty({ description: 'milliseconds since the last heartbeat (every ~2 s; listed while under 10 s)' }) age_ms!: number;
  @ApiProperty({ description: 'the instance that answered this request' }) self!: boolean;
  @ApiProperty({ type: RunnerStateView }) runner!: RunnerStateView;
}

export class JobCountsView {
  @ApiProperty() pending!: number;
  @ApiProperty() claimed!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() cancelled!: number;
}

export class AutonomyJobsView {
  @ApiProperty({ type: JobCountsView, description: `jobs in scope by status (${JOB_STATUSES.join(', ')})` }) by_status!: JobCountsView;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'earliest run_at of a pending job (the next scheduled run)' }) next_run_at!: string | null;
}

export class ToolView {
  @ApiProperty({ example: 'send_confirmation' }) name!: string;
  @ApiProperty({ example: 'send_confirmation', description: 'the policy action that gates it' }) action!: string;
  @ApiProperty() description!: string;
}

/** GET/PUT /api/autonomy and the socket's `autonomy:status`. */
export class AutonomyStatusView {
  @ApiProperty({ type: ViewerView }) viewer!: ViewerView;
  @ApiProperty({ description: 'the env master switch AUTONOMY_ENABLED: off means nothing proactive runs, whatever the toggle says' }) master_switch!: boolean;
  @ApiProperty({ type: AutonomyModeView }) mode!: AutonomyModeView;
  @ApiProperty({ type: RunnerStateView, description: 'the runner of the instance that answered' }) runner!: RunnerStateView;
  @ApiPropertyOptional({ type: [RuntimeInstanceView], description: 'admin only: every instance with a heartbeat in the last 10 s' }) instances?: RuntimeInstanceView[];
  @ApiProperty({ type: AutonomyJobsView }) jobs!: AutonomyJobsView;
  @ApiProperty({ type: [ToolView], description: 'the registered tools (the only actions the runtime can take)' }) tools!: ToolView[];
}
