/** Serialises every booking-side write to one resource (held until the transaction ends). */
export async function lockResource(m, resourceId) {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [resourceId]);
}
