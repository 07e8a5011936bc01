/** The event-safe view of an appointment: ids and times, no client details. */
export function snapshot(a) {
    return {
        id: a.id,
        tenant_id: a.tenant_id,
        resource_id: a.resource_id,
        start: a.start_time.toISOString(),
        end: a.end_time.toISOString(),
        status: a.status,
        version: a.version,
        service: a.service,
        calendar_sync_status: a.calendar_sync_status,
    };
}
