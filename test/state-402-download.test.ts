// The 402 CI_ENFORCEMENT states of a download, per update
// (client-behaviour.md's table: 2 waiting for content, 12 downloading, 13
// downloaded, 14 download failed): 12 after the deployment's 301/7 when the
// download starts, 13 before its 301/8 when it completes, 14 before its 301/9
// when it fails, and 2 once for a wait for content, not at each of its
// rounds. With the install's 8 and 9 or 10, an installed update has the
// reference's "3-5 per installed update" (derived), less any unsent state
// overwritten in place by the next.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY } from './helpers/kit.js';
import { CI_ENFORCE, ENFORCE, TOPIC } from '../agent/core/constants.js';

const dep = (extra: Record<string, unknown> = {}) => ({ name: 'Rollup', updates: { newest: 5 }, available: '1d', deadline: '20d', ...extra });
const kit = (input: Record<string, unknown> = {}) => new CoreKit({ catalogue: { updates: 20, applicableFraction: 1, installedFraction: 0 }, deployments: [dep()], ...input });

/** the state.queued events of a download's deployment (301) and updates (402), in the order queued */
function states(k: CoreKit) {
  return k.of('state.queued')
    .filter((r) => r.e.topicType === TOPIC.CI_ENFORCEMENT || r.e.topicType === TOPIC.ASSIGNMENT_ENFORCEMENT)
    .map((r) => ({ t: r.t, type: r.e.topicType, state: r.e.stateId, topic: r.e.topic, serial: r.e.serial, replaced: r.e.replaced }));
}

describe('402 states of a download', () => {
  it('a download: 301/7 then 402/12 for each update to fetch at its start; 402/13 for each then 301/8 at its end', () => {
    const k = kit();
    k.runFor(3 * DAY);
    const started = k.of('download.started')[0]!;
    const done = k.of('download.completed')[0]!;
    expect(started.e.updates).toBe(5);
    const at = (t: number) => states(k).filter((x) => x.t === t).map((x) => [x.type, x.state]);
    expect(at(started.t)).toEqual([[301, ENFORCE.DOWNLOADING], ...Array.from({ length: 5 }, () => [402, CI_ENFORCE.DOWNLOADING])]);
    expect(at(done.t)).toEqual([...Array.from({ length: 5 }, () => [402, CI_ENFORCE.DOWNLOADED]), [301, ENFORCE.DOWNLOADED]]);
    // the same five updates, in the download and at its end
    const topics = (t: number, st: number) => states(k).filter((x) => x.t === t && x.type === 402 && x.state === st).map((x) => x.topic).sort();
    expect(topics(done.t, CI_ENFORCE.DOWNLOADED)).toEqual(topics(started.t, CI_ENFORCE.DOWNLOADING));
  });

  it('a download within one state-message cycle: each 13 overwrites its unsent 12 in place, keeping its serial', () => {
    // small updates: the download takes well under the 15-minute cycle
    const k = new CoreKit({ catalogue: { updates: 20, applicableFraction: 1, installedFraction: 0, maxSizeMB: 1 }, deployments: [dep()] });
    k.runFor(3 * DAY);
    const started = k.of('download.started')[0]!;
    const done = k.of('download.completed')[0]!;
    const sentBetween = k.of('state.sent').some((r) => r.t > started.t && r.t < done.t);
    expect(sentBetween).toBe(false);
    const s = states(k);
    for (const x of s.filter((y) => y.t === done.t && y.type === 402)) {
      const twelve = s.find((y) => y.t === started.t && y.type === 402 && y.topic === x.topic)!;
      expect(x).toMatchObject({ state: CI_ENFORCE.DOWNLOADED, replaced: true, serial: twelve.serial });
    }
  });

  it('content not on any DP for a day: 402/2 once for each update, not at each hourly round; then 12 when a DP has it', () => {
    const k = kit({ deployments: [dep({ contentDistributed: '2d' })] });
    k.runFor(4 * DAY);
    const waits = k.of('download.waitingContent');
    expect(waits.length).toBeGreaterThan(10);
    const s = states(k).filter((x) => x.type === 402);
    const two = s.filter((x) => x.state === CI_ENFORCE.WAITING_CONTENT);
    expect(two).toHaveLength(5);
    for (const x of two) expect(x.t).toBe(waits[0]!.t);
    const started = k.of('download.started')[0]!;
    expect(started.t).toBeGreaterThanOrEqual(k.sc.start + 2 * DAY);
    expect(s.filter((x) => x.state === CI_ENFORCE.DOWNLOADING).map((x) => x.t)).toEqual(Array(5).fill(started.t));
  });

  it('a download that fails (its DP down, downloadTimeout 0): 402/14 for each update, then 301/9', () => {
    const k = kit({ model: { downloadTimeout: '0' } });
    k.hook = (req, _t, normal) => (req.kind === 'dp.download' ? { kind: 'error', req: 'dp.download', code: 0x80244022 } : normal());
    k.runFor(3 * DAY);
    const failed = k.of('download.failed')[0]!;
    // the first DP failure fails it at once: start and end at the same instant
    const at = states(k).filter((x) => x.t === failed.t);
    expect(at.map((x) => [x.type, x.state])).toEqual([
      [301, ENFORCE.DOWNLOADING], ...Array.from({ length: 5 }, () => [402, CI_ENFORCE.DOWNLOADING]),
      ...Array.from({ length: 5 }, () => [402, CI_ENFORCE.DOWNLOAD_FAILED]), [301, ENFORCE.DOWNLOAD_FAILED],
    ]);
    // each 14 overwrote its unsent 12 in place
    for (const x of at.filter((y) => y.type === 402 && y.state === CI_ENFORCE.DOWNLOAD_FAILED)) expect(x.replaced).toBe(true);
    // nothing reported downloaded
    expect(states(k).some((x) => x.type === 402 && x.state === CI_ENFORCE.DOWNLOADED && x.t <= failed.t)).toBe(false);
  });
});
