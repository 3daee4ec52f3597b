// morning-boot (scenarios/): workstations on from 07:30-09:00 local on
// weekdays, in Kolkata (UTC+5:30, 30 %), London (UTC+0, 40 %) and New York
// (UTC-5, 30 %); the deadline is Saturday 12:00 UTC, every machine off. On
// Monday each zone boots in its own UTC window (02:00-03:30, 07:30-09:00,
// 12:30-14:00) and installs client.gracePeriod (1 h) after its power-on: the
// installs come in three waves, one per zone, none before boot + grace.

import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MIN, runLibrary, sumBetween } from './helpers/library-run.js';

const N = 1000;
const DEADLINE = 5 * DAY + 12 * HOUR;
const MONDAY = 7 * DAY;
const ZONES = [
  { name: 'Kolkata', share: 0.3, boot: MONDAY + 2 * HOUR },
  { name: 'London', share: 0.4, boot: MONDAY + 7 * HOUR + 30 * MIN },
  { name: 'New York', share: 0.3, boot: MONDAY + 12 * HOUR + 30 * MIN },
];
const GRACE = HOUR;
const SPREAD = 90 * MIN;

describe('scenario morning-boot', () => {
  it('a deadline missed over the weekend installs per time zone, the grace period after each zone boots', async () => {
    const r = await runLibrary('morning-boot', '--clients', String(N), '--series-interval', '1m');
    const inst = r.series.installs;
    // nothing installs while every machine is off, nor before the first zone's boot + grace
    expect(sumBetween(r, inst, DEADLINE, ZONES[0]!.boot + GRACE)).toBe(0);
    let total = 0;
    for (const z of ZONES) {
      // between boot and boot + grace: the zone is booting, nothing installs yet
      expect(sumBetween(r, inst, z.boot, z.boot + GRACE), z.name).toBe(0);
      // the wave: power-on + grace, within the 90-minute boot spread plus the pre-install scan and the install (< 30 min)
      const wave = sumBetween(r, inst, z.boot + GRACE, z.boot + GRACE + SPREAD + 30 * MIN);
      const sd = Math.sqrt(N * z.share * (1 - z.share));
      expect(Math.abs(wave - N * z.share), `${z.name} wave ${wave}`).toBeLessThanOrEqual(4 * sd);
      total += wave;
    }
    // all of Monday's installs are in the three waves, and every client installed (all but ~N / 2^10)
    expect(sumBetween(r, inst, DEADLINE, 8 * DAY)).toBe(total);
    expect(r.work.installs).toBeGreaterThanOrEqual(N - 5);
    // the morning burst: state reports of each zone's boot window (what queued overnight and the boot's own)
    for (const z of ZONES) expect(sumBetween(r, r.series.stateSent, z.boot, z.boot + SPREAD + 15 * MIN), z.name).toBeGreaterThan(0);
    // machines came on every weekday morning
    expect(r.events['power.on']).toBeGreaterThanOrEqual(4 * N);
  });
});
