import type { PiiSpan } from './redaction.types.js';

/** Whether [start, end) intersects a span already claimed. Lists are short (a few per string). */
export function overlapsAny(spans: readonly PiiSpan[], start: number, end: number): boolean {
  for (const span of spans) {
    if (start < span.end && span.start < end) return true;
  }
  return false;
}
