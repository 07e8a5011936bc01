import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader.js';

describe('BatchLoader', () => {
  it('fetches the keys asked for in one turn together, each once, and answers every asker', async () => {
    const fetches: string[][] = [];
    const loader = new BatchLoader<string, number>(async (keys) => {
      fetches.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
    });
    const answers = await Promise.all(['a', 'bb', 'a', 'missing', 'ccc'].map((k) => loader.load(k)));
    expect(answers).toEqual([1, 2, 1, undefined, 3]);
    expect(fetches).toEqual([['a', 'bb', 'missing', 'ccc']]);
    // a later turn is a new batch
    expect(await loader.load('dddd')).toBe(4);
    expect(fetches).toHaveLength(2);
  });

  it('splits a large turn into batches of maxBatch', async () => {
    const sizes: number[] = [];
    const loader = new BatchLoader<number, number>(async (keys) => {
      sizes.push(keys.length);
      return new Map(keys.map((k) => [k, k * 2]));
    }, 4);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => loader.load(i)));
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('a failed fetch rejects its askers only, and the loader goes on', async () => {
    let fail = true;
    const loader = new BatchLoader<string, string>(async (keys) => {
      if (fail) throw new Error('database down');
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    await expect(Promise.all([loader.load('x'), loader.load('y')])).rejects.toThrow('database down');
    fail = false;
    expect(await loader.load('x')).toBe('X');
  });
});
