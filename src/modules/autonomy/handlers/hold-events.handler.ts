import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DomainEvent } from '../../../common/events/domain-events.js';
import { OnDomainEvent } from '../../../common/events/on-domain-event.decorator.js';

export const AUTONOMY_FEED = 'autonomy.feed';

/** Holds start no proactive action: they are audited (with their event) and pushed to the status feed. */
@Injectable()
export class HoldEventsHandler {
  constructor(private readonly emitter: EventEmitter2) {}

  @OnDomainEvent('HoldCreated')
  onHoldCreated(event: DomainEvent<'HoldCreated'>): void {
    this.emitter.emit(AUTONOMY_FEED, { type: event.type, tenant_id: event.tenant_id, id: event.payload.hold.id, at: event.occurred_at });
  }

  @OnDomainEvent('HoldExpired')
  onHoldExpired(event: DomainEvent<'HoldExpired'>): void {
    this.emitter.emit(AUTONOMY_FEED, { type: event.type, tenant_id: event.tenant_id, id: event.payload.hold_id, at: event.occurred_at });
  }
}
