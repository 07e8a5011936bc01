import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { redactPII, redactText } from '../src/common/redaction/index.js';

type Kind = 'EMAIL' | 'PHONE' | 'CARD' | 'IBAN' | 'IP' | 'NAME';
const KINDS: readonly Kind[] = ['EMAIL', 'PHONE', 'CARD', 'IBAN', 'IP', 'NAME'];
const MUST_BE_COMPLETE: readonly Kind[] = ['EMAIL', 'CARD', 'IBAN', 'PHONE'];

interface Item {
  kind: Kind;
  value: string;
  path?: Array<string | number>;
}

interface PositiveSample {
  id: string;
  kind: Kind;
  text?: string;
  object?: unknown;
  items: Item[];
}

interface NegativeSample {
  id: string;
  category: string;
  text?: string;
  object?: unknown;
}

interface KindScore {
  items: number;
  recalled: number;
  tags: number;
  /** Tags beyond the expected ones, in positives (over-redaction of context) and negatives. */
  falseTags: number;
  surplusInPositives: number;
  misses: string[];
}

function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/pii/${name}`, import.meta.url), 'utf8')) as T;
}

const TAG = /\[(EMAIL|PHONE|CARD|IBAN|IP|NAME|PII):[0-9a-f]{6}\]/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function countTags(output: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of output.matchAll(TAG)) counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
  return counts;
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let node = root;
  for (const step of path) node = (node as Record<string | number, unknown> | undefined)?.[step];
  return node;
}

/**
 * A text item counts as found only when the output holds the tag exactly where the value was, between
 * the original neighbouring characters: `+49 (0)30 [PHONE:…]-77` or a half-replaced IBAN fails.
 */
function textItemFound(text: string, output: string, items: readonly Item[], index: number): boolean {
  const positions: Array<[number, number]> = [];
  let cursor = 0;
  for (const item of items) {
    const start = text.indexOf(item.value, cursor);
    if (start === -1) throw new Error(`corpus error: "${item.value}" not in "${text}"`);
    positions.push([start, start + item.value.length]);
    cursor = start + item.value.length;
  }
  const [start, end] = positions[index] as [number, number];
  const previousEnd = index > 0 ? (positions[index - 1] as [number, number])[1] : 0;
  const nextStart = index + 1 < positions.length ? (positions[index + 1] as [number, number])[0] : text.length;
  const before = text.slice(Math.max(previousEnd, start - 8), start);
  const after = text.slice(end, Math.min(nextStart, end + 8));
  const item = items[index] as Item;
  const expected = new RegExp(`${escapeRegExp(before)}\\[${item.kind}:[0-9a-f]{6}\\]${escapeRegExp(after)}`);
  return expected.test(output) && !output.includes(item.value);
}

function objectItemFound(output: unknown, item: Item): boolean {
  const value = valueAt(output, item.path ?? []);
  return (
    typeof value === 'string' &&
    new RegExp(`^\\[${item.kind}:[0-9a-f]{6}\\]$`).test(value) &&
    !JSON.stringify(output).includes(item.value)
  );
}

describe('PII corpus', () => {
  const positives = loadFixture<PositiveSample[]>('positives.json');
  const negatives = loadFixture<NegativeSample[]>('negatives.json');
  const scores = new Map<Kind, KindScore>(KINDS.map((k) => [k, { items: 0, recalled: 0, tags: 0, falseTags: 0, surplusInPositives: 0, misses: [] }]));
  const falsePositives: string[] = [];

  beforeAll(() => {
    for (const sample of positives) {
      const output = sample.text !== undefined ? redactText(sample.text) : redactPII(sample.object);
      const rendered = typeof output === 'string' ? output : JSON.stringify(output);
      const expectedTags = new Map<string, number>();
      sample.items.forEach((item, i) => {
        const score = scores.get(item.kind) as KindScore;
        score.items++;
        expectedTags.set(item.kind, (expectedTags.get(item.kind) ?? 0) + 1);
        const found =
          sample.text !== undefined ? textItemFound(sample.text, rendered, sample.items, i) : objectItemFound(output, item);
        if (found) score.recalled++;
        else score.misses.push(`${sample.id}: ${JSON.stringify(sample.text ?? sample.object)} -> ${rendered}`);
      });
      for (const [kind, produced] of countTags(rendered)) {
        const expected = expectedTags.get(kind) ?? 0;
        const score = scores.get(kind as Kind);
        if (score === undefined) continue; // PII tags are not a scored kind here
        score.tags += Math.min(produced, expected);
        score.falseTags += Math.max(0, produced - expected);
        score.surplusInPositives += Math.max(0, produced - expected);
      }
    }
    for (const sample of negatives) {
      const unchanged =
        sample.text !== undefined
          ? redactText(sample.text) === sample.text
          : isDeepStrictEqual(redactPII(sample.object), sample.object);
      if (unchanged) continue;
      const output = sample.text !== undefined ? redactText(sample.text) : JSON.stringify(redactPII(sample.object));
      falsePositives.push(`${sample.id} [${sample.category}]: ${JSON.stringify(sample.text ?? sample.object)} -> ${output}`);
      for (const [kind, produced] of countTags(output)) {
        const score = scores.get(kind as Kind);
        if (score !== undefined) score.falseTags += produced;
      }
    }

    const rows = KINDS.map((kind) => {
      const s = scores.get(kind) as KindScore;
      const precision = s.tags + s.falseTags === 0 ? 1 : s.tags / (s.tags + s.falseTags);
      return {
        kind,
        items: s.items,
        found: s.recalled,
        recall: (s.items === 0 ? 1 : s.recalled / s.items).toFixed(3),
        tags: s.tags + s.falseTags,
        falseTags: s.falseTags,
        precision: precision.toFixed(3),
      };
    });
    console.log(`PII corpus: ${positives.length} positive samples, ${negatives.length} negatives`);
    console.table(rows);
    console.log(`negatives changed: ${falsePositives.length}/${negatives.length}`);
  });

  it('has a corpus of the required size', () => {
    expect(positives.length).toBeGreaterThanOrEqual(300);
    expect(negatives.length).toBeGreaterThanOrEqual(300);
    for (const kind of KINDS) expect((scores.get(kind) as KindScore).items).toBeGreaterThan(0);
  });

  it.each(MUST_BE_COMPLETE)('finds every %s', (kind) => {
    const score = scores.get(kind) as KindScore;
    expect(score.misses, score.misses.join('\n')).toEqual([]);
    expect(score.recalled).toBe(score.items);
  });

  it.each(['IP', 'NAME'] as const)('finds every %s', (kind) => {
    const score = scores.get(kind) as KindScore;
    expect(score.misses, score.misses.join('\n')).toEqual([]);
  });

  it('leaves every hard negative unchanged', () => {
    expect(falsePositives, falsePositives.join('\n')).toEqual([]);
  });

  it('produces no surplus tags in the positives', () => {
    const surplus = KINDS.map((k) => `${k}: ${(scores.get(k) as KindScore).surplusInPositives}`);
    expect(KINDS.every((k) => (scores.get(k) as KindScore).surplusInPositives === 0), surplus.join(', ')).toBe(true);
  });
});
