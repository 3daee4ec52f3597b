// Scaled time: events that fall due while the event loop is busy with answers
// run between those answers (Clock.catchUp, called by the HTTP transport as
// each answer ends), not only once the loop's own turn comes round.

import { describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { scaledClock } from '../harness/clock/scaled.js';
import type { Fleet } from '../agent/runtime/fleet.js';

const START = 1_000_000;

/** A fleet with a list of due times; runSlice runs those before `end` and says who called it. */
function fakeFleet(due: number[]) {
  const calls: { end: number; sliceMs: number; from: string; ran: number[] }[] = [];
  let caller = 'loop';
  const f = {
    now: START,
    nextTime: () => (due.length === 0 ? Infinity : due[0]!),
    runSlice(end: number, sliceMs: number, _wall: () => number, onEvent?: (t: number) => void): boolean {
      const ran: number[] = [];
      while (due.length > 0 && due[0]! < end) {
        const t = due.shift()!;
        f.now = t;
        onEvent?.(t);
        ran.push(t);
      }
      calls.push({ end, sliceMs, from: caller, ran });
      return due.length === 0;
    },
  };
  return { fleet: f as unknown as Fleet, calls, setCaller: (c: string) => (caller = c) };
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('scaled clock: catching up between answers', () => {
  it('runs the events due from catchUp(), in a short slice, while the loop waits; nothing before the run, when nothing is due, or after', async () => {
    // at F = 1 an event 30 ms into the run, another 400 ms in, the run 600 ms long
    const { fleet, calls, setCaller } = fakeFleet([START + 30, START + 400]);
    const clock = scaledClock({ mode: 'scaled', timeFactor: 1, lagBoundMs: 1000, start: START, end: START + 600, requestTimeout: 0 });
    clock.bind(fleet);
    const lag = hdr.build();
    const ctrl = new AbortController();
    const catchUp = (): void => {
      setCaller('catchUp');
      clock.catchUp!();
      setCaller('loop');
    };
    // before run(): no-op
    catchUp();
    expect(calls).toEqual([]);
    const running = clock.run({ fleet, wire: null, progress: () => {}, lag, signal: ctrl.signal });
    // the loop is asleep until the first event; nothing is due yet
    catchUp();
    expect(calls).toEqual([]);
    // the event loop is held past the first due time (as a burst of answers holds it): the loop's timer cannot fire
    busyWait(60);
    catchUp();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ from: 'catchUp', ran: [START + 30] });
    expect(calls[0]!.sliceMs).toBeLessThan(20);
    // it ran the event late by the hold, and recorded that as lag
    expect(lag.totalCount).toBe(1);
    expect(lag.maxValue).toBeGreaterThanOrEqual(25);
    // the second event is not due: catchUp leaves it to the loop
    catchUp();
    expect(calls).toHaveLength(1);
    await running;
    expect(calls.map((c) => c.from)).toEqual(['catchUp', 'loop']);
    expect(calls[1]!.ran).toEqual([START + 400]);
    // after the run: no-op, whatever is due
    fleet.nextTime = () => START + 1;
    catchUp();
    expect(calls).toHaveLength(2);
  });

  it('does nothing once the run is aborted', async () => {
    const { fleet, calls } = fakeFleet([START + 10]);
    const clock = scaledClock({ mode: 'scaled', timeFactor: 1, lagBoundMs: 1000, start: START, end: START + 200, requestTimeout: 0 });
    clock.bind(fleet);
    const ctrl = new AbortController();
    const running = clock.run({ fleet, wire: null, progress: () => {}, lag: hdr.build(), signal: ctrl.signal });
    busyWait(30);
    ctrl.abort();
    clock.catchUp!();
    expect(calls).toEqual([]);
    await running;
    expect(calls).toEqual([]);
  });
});
