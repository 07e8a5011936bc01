import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobHandlerRegistry } from '../jobs/job-handler.registry.js';
import { JobRunner } from '../jobs/job-runner.js';
import { PermanentJobError } from '../jobs/permanent-job.error.js';
import { PolicyEngine } from '../policy/policy-engine.service.js';
import { AutonomySettingsService } from './settings/autonomy-settings.service.js';
import { ToolExecutor } from './tools/tool-executor.js';
import { ToolRegistry } from './tools/tool-registry.js';

/**
 * Wires the guardrails into the runtime: every registered tool becomes a job type, every job runs
 * through the ToolExecutor, the runner claims nothing while autonomy is off everywhere, and the
 * policy engine's kill-switch check follows the runtime toggle.
 */
@Injectable()
export class AutonomyRuntime implements OnModuleInit {
  constructor(
    private readonly tools: ToolRegistry,
    private readonly executor: ToolExecutor,
    private readonly registry: JobHandlerRegistry,
    private readonly runner: JobRunner,
    private readonly policy: PolicyEngine,
    private readonly settings: AutonomySettingsService,
  ) {}

  onModuleInit(): void {
    for (const tool of this.tools.all()) {
      // The raw handler is never called: the executor runs the tool inside its guard.
      this.registry.register(tool.name, () => {
        throw new PermanentJobError(`${tool.name} can only run through the tool executor`);
      });
    }
    this.runner.setExecutor(this.executor.execute);
    this.runner.setClaimGate(() => this.settings.anyEnabled());
    this.policy.setKillSwitch((tenantId) => this.settings.effectiveMode(tenantId) !== 'off');
  }
}
