/**
 * A SQL expression rendering the timestamptz `col` as JavaScript's `Date.toJSON` does
 * ("2031-01-01T09:00:00.000Z"): for JSON built in SQL that must read like the same JSON built in
 * JavaScript (audit payloads written by a statement instead of by `AuditAppender`).
 */
export function isoJson(col: string): string {
  return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
