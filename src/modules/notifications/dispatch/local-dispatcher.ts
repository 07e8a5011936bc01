import { Injectable } from '@nestjs/common';
import type { SlotPromise } from '../../../common/concurrency/slot-promises.js';
import type { Notification } from '../notification.types.js';

/** What the dispatcher of this process offers the outbox. */
export interface LocalDelivery {
  /** A free slot for a row inserted already leased to this dispatcher, and the lease; null when it has none. */
  promise(): { leaseMs: number; slot: SlotPromise } | null;
  /** The row's transaction committed: it is sent now. */
  adopt(slot: SlotPromise, row: Notification): void;
  /** The row's transaction did not commit (or the row was not inserted). */
  unpromise(slot: SlotPromise): void;
  /** Rows became due: claim them now. */
  wake(): void;
}

/**
 * The dispatcher of this process, as the outbox sees it, for code that must not import the
 * dispatcher itself (the outbox is reachable from the registered tools, whose import graph may not
 * contain the channels' network modules; `test/guardrails-tools.spec.ts` checks it). Null while no
 * dispatcher runs here (APP_ROLE=api, shut down).
 */
@Injectable()
export class LocalDispatcher {
  private delivery: LocalDelivery | null = null;

  get current(): LocalDelivery | null {
    return this.delivery;
  }

  attach(delivery: LocalDelivery): void {
    this.delivery = delivery;
  }

  detach(delivery: LocalDelivery): void {
    if (this.delivery === delivery) this.delivery = null;
  }
}
