/**
 * A label whose values come from input (job types, policy actions) must not grow without bound:
 * the first `max` distinct values are kept, later ones are reported as `other`.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    known: readonly string[] = [],
  ) {
    for (const k of known) this.seen.add(k);
  }

  value(v: string | null | undefined): string {
    if (!v) return 'none';
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}
