// The fleet scheduler: an indexed 4-ary heap keyed by (due time, entity id).

import { describe, expect, it } from 'vitest';
import { Scheduler } from '../agent/runtime/scheduler.js';

function drain(s: Scheduler): [number, number][] {
  const out: [number, number][] = [];
  for (;;) {
    const t = s.peekTime();
    const id = s.pop();
    if (id < 0) break;
    out.push([t, id]);
  }
  return out;
}

describe('fleet scheduler', () => {
  it('pops in (time, id) order, ties broken by entity id', () => {
    const s = new Scheduler(8);
    s.set(5, 100);
    s.set(2, 100);
    s.set(7, 50);
    s.set(0, 200);
    s.set(3, 100);
    expect(drain(s)).toEqual([[50, 7], [100, 2], [100, 3], [100, 5], [200, 0]]);
    expect(s.peekTime()).toBe(Infinity);
    expect(s.pop()).toBe(-1);
  });

  it('reschedules an entity earlier or later, and removes it with Infinity', () => {
    const s = new Scheduler(4);
    s.set(0, 10);
    s.set(1, 20);
    s.set(2, 30);
    s.set(2, 5); // earlier
    s.set(0, 40); // later
    s.set(1, Infinity); // removed
    expect(s.dueOf(1)).toBe(Infinity);
    expect(s.size).toBe(2);
    expect(drain(s)).toEqual([[5, 2], [40, 0]]);
  });

  it('updating the top in place keeps heap order (the fleet loop)', () => {
    const s = new Scheduler(3);
    s.set(0, 1);
    s.set(1, 2);
    s.set(2, 3);
    expect(s.peekId()).toBe(0);
    s.set(0, 10);
    expect(s.peekId()).toBe(1);
    expect(drain(s).map((x) => x[1])).toEqual([1, 2, 0]);
  });

  it('matches a sorted reference under random operations', () => {
    const N = 500;
    const s = new Scheduler(N);
    const ref = new Map<number, number>();
    let x = 12345;
    const r = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
    for (let step = 0; step < 20000; step++) {
      const id = Math.floor(r() * N);
      const op = r();
      if (op < 0.1) {
        s.set(id, Infinity);
        ref.delete(id);
      } else if (op < 0.2 && ref.size > 0) {
        const top = s.peekId();
        const [bt, bid] = [...ref].map(([i, t]) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1])[0]!;
        expect([s.peekTime(), top]).toEqual([bt, bid]);
        s.pop();
        ref.delete(bid);
      } else {
        const t = Math.floor(r() * 1000); // many equal times: ties must still order by id
        s.set(id, t);
        ref.set(id, t);
      }
      expect(s.size).toBe(ref.size);
    }
    const expected = [...ref].map(([i, t]) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(drain(s)).toEqual(expected);
  });
});
