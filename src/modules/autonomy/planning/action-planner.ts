import type { AppointmentSnapshot } from '../../../common/events/domain-events.js';
import type { PolicyAction } from '../../policy/engine/policy.types.js';

export type NotificationTemplate = 'confirmation' | 'reminder' | 'cancellation' | 'reschedule' | 'follow_up';

/** One proactive action the orchestrator wants to schedule; its job type is the tool's name. */
export interface PlannedAction {
  type: PolicyAction;
  runAt: Date;
  template?: NotificationTemplate;
  /** Set when the action is planned late (e.g. a reminder whose time has passed): recorded with the job. */
  note?: string;
  /** Extra plain values for the tool's input (times, never personal data). */
  extra?: Record<string, string | number>;
}

/** An action that will not be scheduled, with the reason (recorded, never silently dropped). */
export interface SkippedAction {
  type: PolicyAction;
  reason: string;
}

export interface PlanTimings {
  reminderLeadMinutes: number;
  noShowGraceMinutes: number;
  followUpDelayMinutes: number;
}

const MIN = 60_000;

/** What a new (or moved) booking sets in motion. Pure: the caller supplies `now`. */
export function planForBooking(apt: AppointmentSnapshot, t: PlanTimings, now: Date, confirmation: NotificationTemplate = 'confirmation'): { planned: PlannedAction[]; skipped: SkippedAction[] } {
  const start = Date.parse(apt.start);
  const end = Date.parse(apt.end);
  const planned: PlannedAction[] = [{ type: 'send_confirmation', runAt: now, template: confirmation }];
  const skipped: SkippedAction[] = [];
  const reminderAt = start - t.reminderLeadMinutes * MIN;
  if (start <= now.getTime()) {
    skipped.push({ type: 'send_reminder', reason: 'too_late: the appointment has started' });
  } else if (reminderAt <= now.getTime()) {
    // the reminder time has passed but the appointment is still ahead: remind at once
    planned.push({ type: 'send_reminder', runAt: now, template: 'reminder', note: 'late: reminder time already passed, sent at once' });
  } else {
    planned.push({ type: 'send_reminder', runAt: new Date(reminderAt), template: 'reminder' });
  }
  planned.push({ type: 'auto_cancel_no_show', runAt: new Date(start + t.noShowGraceMinutes * MIN) });
  planned.push({ type: 'send_follow_up', runAt: new Date(Math.max(end + t.followUpDelayMinutes * MIN, now.getTime())), template: 'follow_up' });
  return { planned, skipped };
}

/** The dedupe key of an action for one version of an appointment: a re-published event is a no-op. */
export function dedupeKey(type: string, appointmentId: string, version: number): string {
  return `${type}:${appointmentId}:v${version}`;
}
