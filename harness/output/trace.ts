// NDJSON trace: one line per client event, in time order
//   {"t": <simulated epoch ms>, "client": "GUID:...", "ev": "<name>", ...fields}
// Lines are built into a buffer and written with writeSync in 1 MiB chunks:
// the virtual-time loop is synchronous, and an async stream would only queue
// the whole trace in memory behind it.

import { LineFile } from './line-file.js';
import type { AgentEvent } from '../../agent/core/types.js';
import { hresultHex } from '../../agent/core/constants.js';
import { topicIdOf } from '../../agent/wire/topics.js';
import { serialsOf } from '../../agent/core/statemsg.js';

export interface TraceNames {
  clientId(idx: number): string;
  updateId(idx: number): string;
  deploymentId(idx: number): string;
  updateSourceId: string;
}

/** The public fields of an event (what README documents), without t/client/ev. */
export function traceFields(e: AgentEvent, names: TraceNames): Record<string, unknown> {
  switch (e.ev) {
    case 'state.queued': {
      const o: Record<string, unknown> = { topicType: e.topicType, stateId: e.stateId, topicId: topicIdOf(names, e.topicType, e.topic), serial: e.serial };
      if (e.replaced) o.replaced = true;
      if (e.supersedes !== 0) o.supersedes = e.supersedes;
      return o;
    }
    case 'state.sent':
      return e.ok ? { serials: serialsOf(e.msgs), ok: true } : { serials: serialsOf(e.msgs), ok: false, code: hresultHex(e.code) };
    case 'policy.failed':
      return { code: hresultHex(e.code) };
    case 'scan.started': {
      const o: Record<string, unknown> = { trigger: e.trigger, forced: e.forced, online: e.online };
      if (e.trigger === 'retry') o.rule = e.rule;
      return o;
    }
    case 'scan.failed':
      return { code: hresultHex(e.code), sup: e.sup, retryAt: e.retryAt };
    case 'download.failed':
      return { deployment: e.deployment, code: hresultHex(e.code) };
    case 'download.waitingContent':
      return { deployment: e.deployment, code: hresultHex(e.code), retryAt: e.retryAt };
    case 'download.retrying':
      return { deployment: e.deployment, dp: e.dp, code: hresultHex(e.code), next: e.next, retryAt: e.retryAt };
    case 'install.failed':
      return { deployment: e.deployment, updates: e.updates, code: hresultHex(e.code), attempt: e.attempt };
    case 'update.lost':
      return { update: names.updateId(e.update) };
    case 'policy.received':
      return { version: e.version, deployments: e.deployments, softwareUpdatesEnabled: e.softwareUpdatesEnabled };
    default: {
      const { ev: _ev, ...rest } = e as AgentEvent & Record<string, unknown>;
      return rest;
    }
  }
}

export class TraceWriter {
  private readonly out: LineFile;

  constructor(readonly file: string, private readonly names: TraceNames) {
    this.out = new LineFile(file, `${file}: trace`, 1 << 20);
  }

  get lines(): number {
    return this.out.lines;
  }

  readonly write = (t: number, client: number, e: AgentEvent): void => {
    this.out.append(JSON.stringify({ t, client: this.names.clientId(client), ev: e.ev, ...traceFields(e, this.names) }));
  };

  flush(): void {
    this.out.flush();
  }

  close(): void {
    this.out.close();
  }
}
