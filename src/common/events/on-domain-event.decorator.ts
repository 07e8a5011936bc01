import { OnEvent } from '@nestjs/event-emitter';
import type { DomainEvent, DomainEventName } from './domain-events.js';

type DomainListener<K extends DomainEventName> = (event: DomainEvent<K>) => unknown;

/**
 * `@OnEvent` for a domain event, typed by name: the decorated method must accept that event's
 * payload. Errors are not suppressed, so a failed handler leaves the event for the relay to retry.
 */
export function OnDomainEvent<K extends DomainEventName>(name: K) {
  const decorate = OnEvent(name, { suppressErrors: false, async: false, promisify: true });
  return <T extends DomainListener<K>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => {
    decorate(target, key, descriptor);
  };
}
