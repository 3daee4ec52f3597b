// What each emulated client keeps between WSUS scans: the server cookie of its
// last completed scan and the SUP it came from (wua.ts WuaScanInput.session).
// The GetConfig answer is the server's, the same for every client of a SUP:
// one per SUP, not one per client. An entry lives until its cookie expires
// (WSUS: an hour after it was issued); expired ones are swept as entries are
// added, so the map holds about the clients that scanned within the hour.

import { parseDateTime, type Cookie, type GetConfigResponse } from '../../wire/wusp/codec.js';
import type { KeptSession, SessionStore } from './wua.js';

interface Entry {
  readonly sup: string;
  readonly cookie: Cookie;
  /** the cookie's Expiration, epoch ms */
  readonly until: number;
}

/** Sweep the expired entries after this many keeps. */
const SWEEP_EVERY = 4096;

export class WuaSessions {
  private readonly byClient = new Map<number, Entry>();
  private readonly configs = new Map<string, GetConfigResponse>();
  private keeps = 0;
  /** scans that went on with a kept cookie (no handshake) */
  reused = 0;

  /** The store one scan of `client` on `sup` reads and writes. */
  for(client: number, sup: string): SessionStore {
    return {
      get: (now) => {
        const e = this.byClient.get(client);
        if (e === undefined || e.sup !== sup) return undefined;
        const config = this.configs.get(sup);
        if (e.until <= now || config === undefined) {
          this.byClient.delete(client);
          return undefined;
        }
        this.reused++;
        return { cookie: e.cookie, config };
      },
      keep: (s: KeptSession) => {
        let until: number;
        try {
          until = parseDateTime(s.cookie.expiration);
        } catch {
          return; // a cookie whose Expiration the client cannot read is not kept
        }
        this.configs.set(sup, s.config);
        this.byClient.set(client, { sup, cookie: s.cookie, until });
        if (++this.keeps % SWEEP_EVERY === 0) this.sweep(until - 2 * 3_600_000);
      },
    };
  }

  /** entries kept now */
  get size(): number {
    return this.byClient.size;
  }

  /** Drops the entries whose cookie expired before `t` (two hours before the newest expiry: WSUS cookies live one). */
  private sweep(t: number): void {
    for (const [c, e] of this.byClient) if (e.until <= t) this.byClient.delete(c);
  }
}
