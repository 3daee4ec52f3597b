// What the bench adds to the default scenario for its "as sites run it" run
// (issue 11: maintenance windows and time zones; power schedules join here):
// BENCH_SITE=1 node --expose-gc dist/bench/run.js fleet. Three zones, a
// daily local-time window for most workstations, a monthly Patch-Tuesday
// software-update window for servers, the deployment in local time.
export const SITE_SCENARIO = {
  timeZones: [{ zone: 'America/New_York', fraction: 0.4 }, { zone: 'Europe/Berlin', fraction: 0.4 }, { zone: 'Asia/Tokyo', fraction: 0.2 }],
  collections: [
    { name: 'Workstations', fraction: 0.7, maintenanceWindows: [{ start: '2026-01-05T20:00', duration: '4h', recurrence: 'daily', localTime: true }] },
    { name: 'Servers', fraction: 0.2, maintenanceWindows: [{ start: '2026-01-01T01:00', duration: '3h', recurrence: { monthly: { week: 2, day: 'tuesday', offsetDays: 1 } }, type: 'softwareUpdates', localTime: true }] },
  ],
  deployments: [{ name: 'Monthly security updates', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d', localTime: true }],
} as const;
