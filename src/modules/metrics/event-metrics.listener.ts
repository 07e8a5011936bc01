import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DOMAIN_EVENT_NAMES } from '../../common/events/domain-events.js';
import { POLICY_DECIDED, type PolicyDecidedEvent } from '../policy/engine/policy.types.js';
import { MetricsRegistry } from './metrics-registry.js';

/** Counts domain events by type and policy decisions by action and effect, as they happen in this process. */
@Injectable()
export class EventMetricsListener implements OnModuleInit, OnModuleDestroy {
  private readonly listeners = new Map<string, () => void>();

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly emitter: EventEmitter2,
  ) {}

  onModuleInit(): void {
    for (const type of DOMAIN_EVENT_NAMES) {
      const count = () => this.metrics.domainEvents.inc({ type });
      this.listeners.set(type, count);
      this.emitter.on(type, count);
    }
  }

  onModuleDestroy(): void {
    for (const [type, fn] of this.listeners) this.emitter.off(type, fn);
    this.listeners.clear();
  }

  @OnEvent(POLICY_DECIDED)
  onPolicyDecided(e: PolicyDecidedEvent): void {
    this.metrics.policyDecisions.inc({ action: this.metrics.policyActions.value(e.action), effect: e.effect });
  }
}
