// The state-message queue kept in pooled buffers (agent/core/state.ts QueuePool):
// the same reports, serials and overwrites as a queue of plain growing arrays
// (the model below is the algorithm as it was before the pool, written out
// here), whatever the order of queues, sends and failed or lost replies; a
// buffer handed back is taken again; the free lists decay when unused.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreKit, T0 } from './helpers/kit.js';
import { onStateReply, queueState, queuedMessages, sendStates } from '../agent/core/statemsg.js';
import { EMPTY_QUEUE, Q0, QUEUE_TRIM_MS, QueuePool } from '../agent/core/state.js';
import { MSG_FLAGS, MSG_SERIAL, MSG_STATE_ID, MSG_STRIDE, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE } from '../agent/core/types.js';
import { HR, TOPIC } from '../agent/core/constants.js';

/** The queue as plain arrays: one array per cycle, the sent one kept, a failed one put back in front. */
class Model {
  queue: number[] = [];
  sending: number[] | null = null;
  serial = 0;

  queue1(t: number, type: number, state: number, topic: number, flags: number): void {
    const q = this.queue;
    for (let i = q.length - MSG_STRIDE; i >= 0; i -= MSG_STRIDE) {
      if (q[i + MSG_TOPIC_TYPE] === type && q[i + MSG_TOPIC] === topic) {
        if (q[i + MSG_FLAGS]! % 2 !== 1) {
          q[i + MSG_STATE_ID] = state;
          q[i + MSG_TIME] = t;
          q[i + MSG_FLAGS] = flags;
          return;
        }
        q.splice(i, MSG_STRIDE);
        break;
      }
    }
    q.push(type, state, topic, ++this.serial, t, flags);
  }

  send(): void {
    if (this.sending !== null || this.queue.length === 0) return;
    this.sending = this.queue;
    this.queue = [];
  }

  reply(ok: boolean, mayHaveArrived: boolean): void {
    const sent = this.sending;
    if (sent === null) return;
    this.sending = null;
    if (ok) return;
    const back = sent.concat(this.queue);
    if (mayHaveArrived) for (let i = 0; i < sent.length; i += MSG_STRIDE) back[i + MSG_FLAGS] = back[i + MSG_FLAGS]! % 2 === 1 ? back[i + MSG_FLAGS]! : back[i + MSG_FLAGS]! + 1;
    this.queue = back;
  }
}

type Op =
  | { op: 'queue'; type: number; state: number; topic: number }
  | { op: 'send' }
  | { op: 'reply'; ok: boolean; timeout: boolean };

// topic types without a UserParameter (the scan topics pack the scan package version into the flags)
const TYPES = [TOPIC.ASSIGNMENT_COMPLIANCE, TOPIC.ASSIGNMENT_ENFORCEMENT, TOPIC.CI_ENFORCEMENT, TOPIC.ASSIGNMENT_EVALUATION];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('queue' as const), type: fc.constantFrom(...TYPES), state: fc.integer({ min: 1, max: 9 }), topic: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'send' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reply' as const), ok: fc.boolean(), timeout: fc.boolean() }) },
);

const queued = (q: readonly number[]): number[] => q.slice(Q0, Q0 + q[0]!);

describe('state-message queue in pooled buffers', () => {
  it('gives the reports, serials and overwrites of plain growing arrays, whatever the order of queues, sends and replies (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 400 }), (ops) => {
        const k = new CoreKit({ clients: 1, deployments: [] });
        const s = k.client;
        const ctx = k.ctx;
        const m = new Model();
        m.serial = s.serial;
        let t = T0 + 1_000;
        for (const o of ops) {
          t += 1_000;
          if (o.op === 'queue') {
            queueState(s, ctx, t, o.type, o.state, o.topic);
            m.queue1(t, o.type, o.state, o.topic, 0);
          } else if (o.op === 'send') {
            sendStates(s, ctx, t);
            m.send();
          } else {
            onStateReply(s, ctx, t, o.ok, o.ok ? 0 : o.timeout ? HR.WINHTTP_TIMEOUT : HR.WINHTTP_CANNOT_CONNECT);
            m.reply(o.ok, !o.ok && o.timeout);
          }
          ctx.out.length = 0;
          expect(queued(s.queue)).toEqual(m.queue);
          expect(s.sending === null ? null : [...s.sending]).toEqual(m.sending);
          expect(queuedMessages(s)).toBe(m.queue.length / MSG_STRIDE);
          expect(s.serial).toBe(m.serial);
        }
        // the shared empty queue every idle client points at is never written
        expect(EMPTY_QUEUE).toEqual([0]);
      }),
      { numRuns: 200, seed: 0x51a7e },
    );
  });

  it('a sent queue hands its buffer back; the next queue takes it again, and the report is a copy', () => {
    const k = new CoreKit({ clients: 1, deployments: [] });
    const s = k.client;
    for (let i = 0; i < 5; i++) queueState(s, k.ctx, T0 + i, TOPIC.ASSIGNMENT_COMPLIANCE, 1, i);
    const buf = s.queue;
    expect(buf).not.toBe(EMPTY_QUEUE);
    sendStates(s, k.ctx, T0 + 10);
    const report = s.sending!;
    expect(s.queue).toBe(EMPTY_QUEUE);
    expect(report.length).toBe(5 * MSG_STRIDE);
    expect(report.filter((_, i) => i % MSG_STRIDE === MSG_SERIAL)).toEqual([1, 2, 3, 4, 5].map((n) => n + report[MSG_SERIAL]! - 1));
    onStateReply(s, k.ctx, T0 + 11, true);
    queueState(s, k.ctx, T0 + 12, TOPIC.ASSIGNMENT_COMPLIANCE, 2, 0);
    expect(s.queue).toBe(buf);
    // the report already handed out is not touched by the queue reusing its old buffer
    expect(report.length).toBe(5 * MSG_STRIDE);
    expect(report[MSG_STATE_ID]).toBe(1);
  });

  it('free lists drop what they did not use within QUEUE_TRIM_MS', () => {
    const pool = new QueuePool();
    const bufs = Array.from({ length: 10 }, () => pool.take(48, 0));
    for (const b of bufs) pool.give(b);
    // in the first period the list was empty once: nothing was spare, nothing goes
    pool.give(pool.take(48, QUEUE_TRIM_MS));
    expect(pool.held).toBe(10);
    // in the second the list never went below 9: nine were not needed and go; one stays
    pool.give(pool.take(48, 2 * QUEUE_TRIM_MS));
    expect(pool.held).toBe(1);
    pool.clear();
    expect(pool.held).toBe(0);
    // a buffer big enough for the request, from the size class above when 8 messages do not fit
    expect(pool.take(Q0 + 8 * MSG_STRIDE, 0).length).toBe(Q0 + 8 * MSG_STRIDE);
    expect(pool.take(Q0 + 9 * MSG_STRIDE, 0).length).toBe(2 * (Q0 + 8 * MSG_STRIDE));
  });
});
