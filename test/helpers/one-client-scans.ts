// Shared by the tests that run one client's daily scans against the minimal WSUS
// (test/wua-datastore-reset, test/wua-refresh-cache).

/** One client, a scan a day after the first (manual cycles). */
export const ONE_CLIENT_DAILY_SCANS = {
  clients: 1,
  duration: '5d',
  catalogue: { updates: 40, newUpdates: 5, maxSizeMB: 1 },
  deployments: [{ name: 'Monthly', updates: { newest: 5 }, available: '1d', deadline: '2d' }],
  actions: [2, 3, 4].map((d) => ({ kind: 'manualScan', at: `${d}d`, within: '1h', fraction: 1 })),
};
