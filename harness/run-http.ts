// The HTTP side of a run (run.ts loads it only for --transport http or an
// external server): the embedded stub servers and the agent's HTTP transport.

import { HttpTransport } from '../agent/runtime/http/transport.js';
import { CcmMpWire } from '../agent/runtime/http/mp-wire.js';
import { KeyPool } from '../agent/wire/ccm/index.js';
import type { StubServers } from '../server-stub/http/index.js';
import { contentIdOf, dpContentUrl } from '../server-stub/http/content.js';
import { clientGuid } from '../server-stub/core/clients.js';
import type { StubCore } from '../server-stub/core/index.js';
import { topicIdOf } from '../agent/wire/topics.js';
import type { TransportPlan } from './plan.js';
import type { RunMetrics } from './metrics/run-metrics.js';
import type { TraceNames } from './output/trace.js';
import type { Clock } from './clock/index.js';

export { startStubServers } from '../server-stub/http/index.js';

/** The HTTP transport: the agent's side of the wire, against the embedded stub servers or external ones. */
export function httpTransport(
  tk: Extract<TransportPlan, { kind: 'http' }>,
  stub: StubCore,
  servers: StubServers | null,
  names: TraceNames,
  clock: Clock,
  metrics: RunMetrics,
): HttpTransport {
  const cat = stub.catalogue;
  const updateByGuid = new Map(cat.ids.map((id, u) => [id.toLowerCase(), u]));
  // what the scenario says of its deployments that policy does not carry (their index, their users)
  const depById = new Map(stub.mp.deployments.map((d) => [d.id.toUpperCase(), { index: d.index, userInstallFraction: d.userInstallFraction }]));
  return new HttpTransport({
    mp: tk.external?.mp ?? servers!.urls.mp,
    mpWire: new CcmMpWire({
      clientGuid: (i) => clientGuid(tk.seed, i),
      topicIdOf: (type, topic) => topicIdOf(names, type, topic),
      updateSourceId: cat.updateSourceId,
      contentIdOf: (u) => contentIdOf(cat, u),
      now: () => clock.simNow(),
      keys: tk.sign === false ? null : tk.keys !== undefined ? KeyPool.fromPem(tk.keys) : KeyPool.shared(2),
      updateIndexOf: (g) => updateByGuid.get(g.toLowerCase()),
      scenarioDeployment: (id) => depById.get(id.toUpperCase()),
      firstFreeSlot: stub.mp.deployments.length + 1,
      settingsDefaults: tk.settingsDefaults,
    }),
    clientGuid: (i) => clientGuid(tk.seed, i),
    updateIndex: (g) => updateByGuid.get(g.toLowerCase()),
    updateGuid: (u) => cat.ids[u]?.toLowerCase(),
    contentUrl: (dp, u) => dpContentUrl(dp, cat, u),
    now: () => clock.simNow(),
    timeoutMs: tk.requestTimeout,
    lockstep: clock.lockstep,
    ca: tk.ca,
    onLatency: metrics.onLatency,
    onStatus: metrics.onStatus,
    intendedAt: (t) => clock.dueWallOf(t),
    // scaled time: the events due run between answers, not after a whole turn's worth of them
    ...(clock.catchUp !== undefined ? { onAnswer: clock.catchUp } : {}),
    ...(tk.concurrency !== undefined ? { concurrency: tk.concurrency } : {}),
  });
}
