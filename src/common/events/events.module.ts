import { Global, Module } from '@nestjs/common';
import { AuditAppender } from '../audit/audit-appender.js';
import { AuditBatchWriter } from '../audit/audit-batch-writer.js';
import { DomainEventPublisher } from './domain-event-publisher.js';
import { DomainEventRelay } from './domain-event-relay.js';
import { EventHandlingLedger } from './event-handling-ledger.js';
import { UnitOfWork } from './unit-of-work.js';

/** Durable, typed domain events: recorded in the change's transaction, published after commit, relayed after a crash. */
@Global()
@Module({
  providers: [AuditAppender, AuditBatchWriter, DomainEventPublisher, DomainEventRelay, EventHandlingLedger, UnitOfWork],
  exports: [AuditAppender, AuditBatchWriter, DomainEventPublisher, DomainEventRelay, EventHandlingLedger, UnitOfWork],
})
export class EventsModule {}
