// What the bench adds to the default scenario for its "as sites run it" run
// (issue 11: maintenance windows, time zones and power schedules on, against
// the same fleet without; npm run bench runs both side by side, and
// BENCH_SITE=1 node --expose-gc dist/bench/run.js fleet runs this one alone).
//
// A site as one is run: four time zones; two workstation collections with a
// weekly Software Update window each in local time (Wednesday evening,
// Thursday lunch), an All-deployments window on weekday nights for most
// machines, servers in a Patch-Tuesday + 1 window and a weekly Sunday window;
// the deployment's times in local time; workstations off at night and at
// weekends, laptops away a few days every two weeks, 1 % of the machines
// never back. Collections are drawn independently, so some clients are in
// several and some in none (the merged-window paths and the unrestricted one).
// 2026-01-07 is a Wednesday, 2026-01-08 a Thursday, 2026-01-04 a Sunday.

/** Maintenance windows, time zones and the local-time deployment (BENCH_SITE=windows). */
export const SITE_WINDOWS = {
  timeZones: [
    { zone: 'America/New_York', fraction: 0.35 },
    { zone: 'Europe/Berlin', fraction: 0.35 },
    { zone: 'Asia/Tokyo', fraction: 0.2 },
    { zone: 'America/Los_Angeles', fraction: 0.1 },
  ],
  collections: [
    { name: 'Workstations - Wednesday evening', fraction: 0.35, maintenanceWindows: [{ start: '2026-01-07T19:00', duration: '4h', recurrence: 'weekly', type: 'softwareUpdates', localTime: true }] },
    { name: 'Workstations - Thursday lunch', fraction: 0.35, maintenanceWindows: [{ start: '2026-01-08T12:00', duration: '2h', recurrence: 'weekly', type: 'softwareUpdates', localTime: true }] },
    { name: 'All workstations - nights', fraction: 0.7, maintenanceWindows: [{ start: '2026-01-05T22:00', duration: '5h', recurrence: 'daily', localTime: true }] },
    {
      name: 'Servers - Patch Tuesday + 1',
      fraction: 0.2,
      maintenanceWindows: [
        { start: '2026-01-01T01:00', duration: '3h', recurrence: { monthly: { week: 2, day: 'tuesday', offsetDays: 1 } }, type: 'softwareUpdates', localTime: true },
        { start: '2026-01-04T02:00', duration: '4h', recurrence: 'weekly', localTime: true },
      ],
    },
  ],
  deployments: [{ name: 'Monthly security updates', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d', localTime: true }],
} as const;

/** Power schedules (BENCH_SITE=power): the machines-off scenario's. */
export const SITE_POWER = {
  client: { gracePeriod: '8h' },
  power: {
    workstations: { fraction: 0.6, onAt: '7h', offAt: '18h', spread: '90m', weekendsOff: true },
    laptops: { fraction: 0.3, onAt: '8h', offAt: '17h', spread: '2h', weekendsOff: true, awayEvery: '14d', awayMin: '1d', awayMax: '5d' },
    neverReturn: { fraction: 0.01, within: '10d' },
  },
} as const;

/** The whole site (BENCH_SITE=1): windows, zones and power schedules. */
export const SITE_SCENARIO = { ...SITE_WINDOWS, ...SITE_POWER } as const;
