import { Global, Module } from '@nestjs/common';
import { AuditAppender } from '../audit/audit-appender.js';
import { AuditBatchWriter } from '../audit/audit-batch-writer.js';
import { TransactionHooks } from '../database/transaction-hooks.js';
import { DomainEventPublisher } from './domain-event-publisher.js';
import { DomainEventRelay } from './domain-event-relay.js';
import { EventHandlingLedger } from './event-handling-ledger.js';
import { UnitOfWork } from './unit-of-work.js';

/**
 * Durable, typed domain events: recorded in the change's transaction, published after commit, relayed
 * after a crash; and what every module's transactions share (audit rows, after-commit hooks).
 */
@Global()
@Module({
  providers: [AuditAppender, AuditBatchWriter, DomainEventPublisher, DomainEventRelay, EventHandlingLedger, TransactionHooks, UnitOfWork],
  exports: [AuditAppender, AuditBatchWriter, DomainEventPublisher, DomainEventRelay, EventHandlingLedger, TransactionHooks, UnitOfWork],
})
export class EventsModule {}
