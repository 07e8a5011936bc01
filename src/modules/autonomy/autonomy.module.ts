import { Module } from '@nestjs/common';
import { BookingModule } from '../booking/booking.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PolicyModule } from '../policy/policy.module.js';
import { AutonomyRuntime } from './autonomy-runtime.js';
import { AutonomyStatusService } from './autonomy-status.service.js';
import { AutonomyController } from './autonomy.controller.js';
import { AutonomyGateway } from './gateway/autonomy.gateway.js';
import { BookingCancelledHandler } from './handlers/booking-cancelled.handler.js';
import { BookingCreatedHandler } from './handlers/booking-created.handler.js';
import { BookingRescheduledHandler } from './handlers/booking-rescheduled.handler.js';
import { CalendarWriteFailedHandler } from './handlers/calendar-write-failed.handler.js';
import { HoldEventsHandler } from './handlers/hold-events.handler.js';
import { RuntimeInstanceRegistry } from './instances/runtime-instance.registry.js';
import { RuntimeInstanceRepository } from './instances/runtime-instance.repository.js';
import { JobRetryController } from './jobs/job-retry.controller.js';
import { RetryJobPolicyTarget } from './jobs/retry-job.policy-target.js';
import { Orchestrator } from './orchestrator.service.js';
import { REGISTERED_TOOLS } from './registered-tools.js';
import { AutonomySettingsRepository } from './settings/autonomy-settings.repository.js';
import { AutonomySettingsService } from './settings/autonomy-settings.service.js';
import { AppointmentNotifier } from './tools/appointment-notifier.js';
import { ToolExecutor } from './tools/tool-executor.js';
import { ToolRegistry } from './tools/tool-registry.js';

/**
 * The agent runtime: domain events → orchestrator (policy decision + enqueue) → job runner →
 * tool executor (kill switch, policy, fencing) → registered tools → outbox / booking / calendar.
 * And the operator's surface: /api/autonomy (toggle, status per instance), the policy-gated job
 * retry, and the socket.io live feed.
 */
@Module({
  imports: [BookingModule, PolicyModule, JobsModule, NotificationsModule],
  controllers: [AutonomyController, JobRetryController],
  providers: [
    AutonomySettingsRepository,
    AutonomySettingsService,
    RuntimeInstanceRepository,
    RuntimeInstanceRegistry,
    AutonomyStatusService,
    AutonomyGateway,
    RetryJobPolicyTarget,
    Orchestrator,
    BookingCreatedHandler,
    BookingCancelledHandler,
    BookingRescheduledHandler,
    CalendarWriteFailedHandler,
    HoldEventsHandler,
    AppointmentNotifier,
    ...REGISTERED_TOOLS,
    ToolRegistry,
    ToolExecutor,
    AutonomyRuntime,
  ],
  exports: [AutonomySettingsService, AutonomyStatusService],
})
export class AutonomyModule {}
