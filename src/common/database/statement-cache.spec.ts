import { describe, expect, it } from 'vitest';
import { StatementCache } from './statement-cache.js';

describe('StatementCache', () => {
  it('names a text once it has been run `threshold` times, and keeps the name', () => {
    const cache = new StatementCache(3, 10);
    const text = 'SELECT $1::int';
    expect(cache.nameFor(text)).toBeUndefined();
    expect(cache.nameFor(text)).toBeUndefined();
    const name = cache.nameFor(text);
    expect(name).toMatch(/^s_[0-9a-f]{20}$/);
    expect(cache.nameFor(text)).toBe(name);
    expect(new StatementCache(1, 10).nameFor(text)).toBe(name);
    expect(cache.nameFor('SELECT $1::text')).toBeUndefined();
  });

  it('names at most `max` texts; the others stay unnamed', () => {
    const cache = new StatementCache(1, 2);
    expect(cache.nameFor('SELECT 1 WHERE $1')).toBeDefined();
    expect(cache.nameFor('SELECT 2 WHERE $1')).toBeDefined();
    expect(cache.nameFor('SELECT 3 WHERE $1')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.nameFor('SELECT 1 WHERE $1')).toBeDefined();
  });
});
