import type { Type } from '@nestjs/common';
import type { RegisteredTool } from './tools/registered-tool.js';
import { AutoCancelNoShowTool } from './tools/auto-cancel-no-show.tool.js';
import { RetryCalendarSyncTool } from './tools/retry-calendar-sync.tool.js';
import { SendCancellationNoticeTool } from './tools/send-cancellation-notice.tool.js';
import { SendConfirmationTool } from './tools/send-confirmation.tool.js';
import { SendFollowUpTool } from './tools/send-follow-up.tool.js';
import { SendReminderTool } from './tools/send-reminder.tool.js';

/**
 * The whitelist: the only actions the runtime can take. A job whose type is not a tool here fails
 * for good. Tools reach the world only through injected services (outbox, booking, calendar);
 * `test/guardrails-tools.spec.ts` walks their import graph and fails on fs, child_process, vm,
 * worker_threads, net, http(s), eval or Function.
 */
export const REGISTERED_TOOLS: readonly Type<RegisteredTool>[] = [
  SendConfirmationTool,
  SendReminderTool,
  AutoCancelNoShowTool,
  SendFollowUpTool,
  RetryCalendarSyncTool,
  SendCancellationNoticeTool,
];
