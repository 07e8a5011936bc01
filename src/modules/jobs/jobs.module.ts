import { Module } from '@nestjs/common';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { JobNotifyListener } from './job-notify.listener.js';
import { JobQueue } from './job-queue.service.js';
import { JobReclaimer } from './job-reclaimer.js';
import { JobRetention } from './job-retention.js';
import { JobRunner } from './job-runner.js';
import { JobSignal } from './job-signal.js';
import { JobRepository } from './job.repository.js';
import { JobsController } from './jobs.controller.js';

/** The persistent job queue (claim, complete, fail, cancel, retry, reclaim), its runner and /api/jobs. */
@Module({
  controllers: [JobsController],
  providers: [JobRepository, JobSignal, JobNotifyListener, JobQueue, JobHandlerRegistry, JobRunner, JobReclaimer, JobRetention],
  exports: [JobQueue, JobRunner, JobHandlerRegistry],
})
export class JobsModule {}
