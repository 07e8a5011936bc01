import { describe, expect, it } from 'vitest';
import { SlotPromises } from './slot-promises.js';

describe('SlotPromises', () => {
  it('counts open promises until they are settled', () => {
    const promises = new SlotPromises(1000, () => 0);
    const a = promises.make(2);
    const b = promises.make(3);
    expect(promises.count()).toBe(5);
    expect(promises.settle(a)).toBe(true);
    expect(promises.count()).toBe(3);
    expect(promises.settle(a)).toBe(false);
    expect(promises.settle(b)).toBe(true);
    expect(promises.count()).toBe(0);
  });

  it('gives the slots of a promise nobody settles back when it expires', () => {
    let t = 0;
    const promises = new SlotPromises(1000, () => t);
    const lost = promises.make(4);
    t = 999;
    expect(promises.count()).toBe(4);
    t = 1000;
    expect(promises.count()).toBe(0);
    expect(promises.settle(lost)).toBe(false);
  });
});
