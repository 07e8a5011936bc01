import { Injectable } from '@nestjs/common';

/**
 * Whether this process runs a notification dispatcher, for code that must not import the
 * dispatcher itself (the outbox is reachable from the registered tools, whose import graph may not
 * contain the channels' network modules; `test/guardrails-tools.spec.ts` checks it).
 */
@Injectable()
export class LocalDispatcher {
  running = false;
}
