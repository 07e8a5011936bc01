export function holdSnapshot(h) {
    return {
        id: h.id,
        tenant_id: h.tenant_id,
        resource_id: h.resource_id,
        start: h.start_time.toISOString(),
        end: h.end_time.toISOString(),
        expires_at: h.expires_at.toISOString(),
    };
}
