import { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ClaimPump, type ClaimBatching } from './claim-pump.js';

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A source with `capacity` slots and an endless backlog: every claim is filled to its limit. */
function harness(capacity: number, batching?: ClaimBatching) {
  let inFlight = 0;
  const claims: { limit: number; at: number }[] = [];
  const t0 = performance.now();
  const pump: ClaimPump<number> = new ClaimPump<number>(
    {
      running: () => true,
      free: () => capacity - inFlight,
      claim: async (limit) => {
        claims.push({ limit, at: performance.now() - t0 });
        return Array.from({ length: limit }, (_, i) => i);
      },
      claimed: (items) => {
        inFlight += items.length;
      },
      describe: String,
    },
    new Logger('test'),
    batching,
  );
  return {
    pump,
    claims,
    finish(n: number) {
      for (let i = 0; i < n; i++) {
        inFlight--;
        pump.slotFreed();
      }
    },
  };
}

describe('ClaimPump', () => {
  it('without gathering, claims a freed slot at the next tick', async () => {
    const h = harness(4);
    h.pump.wake();
    await tick();
    await tick();
    expect(h.claims.map((c) => c.limit)).toEqual([4]);
    h.finish(1);
    await tick();
    await tick();
    expect(h.claims.map((c) => c.limit)).toEqual([4, 1]);
    await h.pump.stop();
  });

  it('while work waits, gathers freed slots: claims when enough are free, or alone after gatherMs', async () => {
    const h = harness(4, { slots: 2, gatherMs: 60 });
    h.pump.wake();
    await tick();
    await tick();
    expect(h.claims.map((c) => c.limit)).toEqual([4]);

    // one slot: not claimed at once
    h.finish(1);
    await sleep(15);
    expect(h.claims).toHaveLength(1);
    // a second one within the window reaches `slots`: both claimed together, before the window ends
    h.finish(1);
    await tick();
    await tick();
    expect(h.claims.map((c) => c.limit)).toEqual([4, 2]);
    expect(h.claims[1]!.at - h.claims[0]!.at).toBeLessThan(60);

    // one slot alone is claimed once the window has passed
    h.finish(1);
    await sleep(20);
    expect(h.claims).toHaveLength(2);
    await sleep(80);
    expect(h.claims.map((c) => c.limit)).toEqual([4, 2, 1]);
    await h.pump.stop();
  });

  it('a wake-up from outside claims at once, gathering or not', async () => {
    const h = harness(4, { slots: 4, gatherMs: 10_000 });
    h.pump.wake();
    await tick();
    await tick();
    h.finish(1);
    await tick();
    expect(h.claims).toHaveLength(1);
    h.pump.wake();
    await tick();
    await tick();
    expect(h.claims.map((c) => c.limit)).toEqual([4, 1]);
    await h.pump.stop();
  });
});
