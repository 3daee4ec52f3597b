// Small fleets several tests run in-process and over HTTP (the contract
// between the transports, shards over HTTP): few clients, a small catalogue
// with small files (real bytes go over loopback), a deployment and a manual
// scan cycle, over four simulated days.

export function smallWireFleet(clients: number): Record<string, unknown> {
  return {
    clients,
    duration: '4d',
    catalogue: { updates: 40, newUpdates: 5, maxSizeMB: 2 },
    deployments: [{ name: 'Monthly', updates: { newest: 5 }, available: '1d', deadline: '2d' }],
    actions: [{ kind: 'manualScan', at: '3d', within: '1h', fraction: 0.5 }],
  };
}
