/**
 * What a template needs, as plain data: the caller (the autonomy module) loads it from booking, so
 * notifications never import booking. Times are instants (ISO strings or Dates); they are shown in
 * the tenant's `timezone`.
 */
export interface TemplateData {
  tenantName: string;
  timezone: string;
  clientName: string;
  start: string | Date;
  end: string | Date;
  service?: string | null;
  /** The previous time, for `reschedule`. */
  oldStart?: string | Date | null;
  oldEnd?: string | Date | null;
}

export interface RenderedNotification {
  subject: string;
  /** Plain text. */
  body: string;
}
