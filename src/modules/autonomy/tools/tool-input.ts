import { ToolInputError } from './registered-tool.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export interface AppointmentInput {
  appointment_id: string;
  version: number;
  template?: string;
  old_start?: string;
  old_end?: string;
}

const ALLOWED = new Set(['appointment_id', 'version', 'template', 'old_start', 'old_end', 'event_id']);

/** The input schema shared by the appointment tools: ids, a version, a template name and times. */
export function parseAppointmentInput(payload: unknown, templates: readonly string[]): AppointmentInput {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new ToolInputError('payload must be an object');
  const p = payload as Record<string, unknown>;
  for (const k of Object.keys(p)) if (!ALLOWED.has(k)) throw new ToolInputError(`payload.${k} is not accepted by this tool`);
  if (typeof p.appointment_id !== 'string' || !UUID.test(p.appointment_id)) throw new ToolInputError('payload.appointment_id must be a uuid');
  if (!Number.isInteger(p.version) || (p.version as number) < 1) throw new ToolInputError('payload.version must be a positive integer');
  if (p.event_id !== undefined && (typeof p.event_id !== 'string' || !UUID.test(p.event_id))) throw new ToolInputError('payload.event_id must be a uuid');
  if (p.template !== undefined && (typeof p.template !== 'string' || !templates.includes(p.template))) {
    throw new ToolInputError(`payload.template must be one of ${templates.join(', ') || '(none)'}`);
  }
  for (const k of ['old_start', 'old_end'] as const) {
    if (p[k] !== undefined && (typeof p[k] !== 'string' || !ISO.test(p[k] as string))) throw new ToolInputError(`payload.${k} must be an ISO time`);
  }
  return { appointment_id: p.appointment_id, version: p.version as number, template: p.template as string | undefined, old_start: p.old_start as string | undefined, old_end: p.old_end as string | undefined };
}
