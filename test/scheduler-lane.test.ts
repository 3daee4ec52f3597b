// The policy-poll lane (agent/runtime/scheduler.ts MonotoneLane) against a
// plain array: pushes accepted only at or after the tail in (time, id) order,
// shifts from the head, idAt reads, and growth when full. The ring is as long
// as the capacity asked for (no power of two), so small odd capacities make
// the indexes wrap and the ring grow many times in one sequence.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MonotoneLane } from '../agent/runtime/scheduler.js';

type Op = { op: 'push'; id: number; dt: number } | { op: 'shift' } | { op: 'peek'; k: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  // dt below 0 tries a push before the tail (refused); 0 a tie broken by the id
  { arbitrary: fc.record({ op: fc.constant('push' as const), id: fc.integer({ min: 0, max: 50 }), dt: fc.integer({ min: -3, max: 5 }) }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('shift' as const) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('peek' as const), k: fc.integer({ min: 0, max: 40 }) }), weight: 2 },
);

describe('the policy lane', () => {
  it('is the FIFO of the pushes it accepts, in (time, id) order, through wraps and growth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 37 }), fc.array(op, { maxLength: 400 }), (capacity, ops) => {
        const lane = new MonotoneLane(capacity);
        const model: { t: number; id: number }[] = [];
        let t = 1_000;
        for (const o of ops) {
          if (o.op === 'push') {
            const at = t + o.dt;
            const tail = model.at(-1);
            const fits = tail === undefined || at > tail.t || (at === tail.t && o.id >= tail.id);
            expect(lane.tryPush(o.id, at)).toBe(fits);
            if (fits) {
              model.push({ t: at, id: o.id });
              t = at;
            }
          } else if (o.op === 'shift') {
            lane.shift();
            model.shift();
          } else {
            expect(lane.idAt(o.k)).toBe(model[o.k]?.id ?? -1);
          }
          expect(lane.size).toBe(model.length);
          expect(lane.peekTime()).toBe(model[0]?.t ?? Infinity);
          expect(lane.peekId()).toBe(model[0]?.id ?? -1);
        }
        for (let k = 0; k <= model.length; k++) expect(lane.idAt(k)).toBe(model[k]?.id ?? -1);
      }),
      { numRuns: 300 },
    );
  });

  it('holds as many entries as its capacity before it grows, and keeps them in order when it does', () => {
    const lane = new MonotoneLane(100_003);
    let refused = 0;
    for (let i = 0; i < 100_003; i++) if (!lane.tryPush(i, i)) refused++;
    expect(refused).toBe(0);
    // round the ring half way, then past its length
    for (let i = 0; i < 60_000; i++) lane.shift();
    for (let i = 100_003; i < 160_003; i++) lane.tryPush(i, i);
    expect(lane.size).toBe(100_003);
    expect(lane.tryPush(160_003, 160_003)).toBe(true);
    expect(lane.size).toBe(100_004);
    const order: number[] = [];
    while (lane.size > 0) {
      order.push(lane.peekId());
      lane.shift();
    }
    expect(order).toEqual(Array.from({ length: 100_004 }, (_, k) => 60_000 + k));
    expect(lane.size).toBe(0);
  });
});
