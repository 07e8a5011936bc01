import type { PiiSpan } from './redaction.types.js';

/**
 * Spans claimed in one string. Each detector reports its spans in ascending, non-overlapping order;
 * they are checked against the earlier detectors' spans by binary search and merged in at commit(),
 * so dense texts (thousands of addresses in a log) stay linear-logarithmic.
 */
export class SpanList {
  private committed: PiiSpan[] = [];
  private pending: PiiSpan[] = [];

  get isEmpty(): boolean {
    return this.committed.length === 0 && this.pending.length === 0;
  }

  /** Whether [start, end) intersects a span already claimed. */
  overlaps(start: number, end: number): boolean {
    const last = this.pending[this.pending.length - 1];
    if (last !== undefined && start < last.end && last.start < end) return true;
    const spans = this.committed;
    // First committed span that ends after start.
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((spans[mid] as PiiSpan).end <= start) lo = mid + 1;
      else hi = mid;
    }
    return lo < spans.length && (spans[lo] as PiiSpan).start < end;
  }

  add(span: PiiSpan): void {
    this.pending.push(span);
  }

  /** Merges the current detector's spans into the sorted list. */
  commit(): void {
    if (this.pending.length === 0) return;
    const a = this.committed;
    const b = this.pending.sort((x, y) => x.start - y.start);
    const merged: PiiSpan[] = new Array<PiiSpan>(a.length + b.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length && j < b.length) merged[k++] = (a[i] as PiiSpan).start <= (b[j] as PiiSpan).start ? (a[i++] as PiiSpan) : (b[j++] as PiiSpan);
    while (i < a.length) merged[k++] = a[i++] as PiiSpan;
    while (j < b.length) merged[k++] = b[j++] as PiiSpan;
    this.committed = merged;
    this.pending = [];
  }

  /** All spans in order (after the last commit). */
  sorted(): readonly PiiSpan[] {
    this.commit();
    return this.committed;
  }
}
