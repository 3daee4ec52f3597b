// Client identities: the GUID a client presents on the wire <-> its index in
// the scenario. Scenario clients have GUIDs derived from (seed, index); a
// client the scenario does not know (a real machine pointed at the stub) gets
// a stable index past the scenario's (past the shard's range, in a shard) from
// a hash of its GUID, so it still has deterministic updates.

import { guidFor, hash32 } from '../../agent/core/prng.js';

export const KIND_CLIENT = 1;

export function clientGuid(seed: number, idx: number): string {
  return guidFor(seed, KIND_CLIENT, idx);
}

export class ClientRegistry {
  private byGuid: Map<string, number> | null = null;

  /** The scenario's clients firstClient .. firstClient + clients - 1 (a shard: its range; ids are global). */
  constructor(private readonly seed: number, readonly clients: number, readonly firstClient = 0) {}

  /** Index (global client id) of a client GUID (with or without braces or a GUID: prefix, any case). */
  indexOf(guid: string): number {
    const g = normalise(guid);
    if (this.byGuid === null) {
      // built on first use: a stub serving only content never pays for it
      this.byGuid = new Map();
      const end = this.firstClient + this.clients;
      for (let i = this.firstClient; i < end; i++) this.byGuid.set(clientGuid(this.seed, i), i);
    }
    const i = this.byGuid.get(g);
    if (i !== undefined) return i;
    let h = 0;
    for (let k = 0; k < g.length; k++) h = hash32(h, g.charCodeAt(k));
    return this.firstClient + this.clients + (h % 0x3fffffff);
  }

  /** True when the index is one of the clients served (it has rows in the MP's views). */
  known(idx: number): boolean {
    return idx >= this.firstClient && idx < this.firstClient + this.clients;
  }
}

const CLIENT_ID = /^GUID:\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$/;

/** A ConfigMgr client id as the client's messages carry it: GUID:<guid>, braces allowed, spaces around ignored. */
export function isClientId(s: string): boolean {
  return CLIENT_ID.test(s.trim());
}

function normalise(guid: string): string {
  return guid.trim().replace(/^GUID:/i, '').replace(/^\{|\}$/g, '').toUpperCase();
}
