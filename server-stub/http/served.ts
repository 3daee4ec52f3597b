// Which servers the embedded HTTP stubs start for a scenario (a WSUS per SUP, a server per DP)
// and the core's configuration under the servers' URLs. No node:http here: `run` checks a
// scenario against it before it loads the HTTP stack.

import type { StubConfig } from '../core/index.js';

/**
 * At most this many SUP servers and as many DP servers: each is a listening socket
 * (site.sups and site.dps may list 10,000 URLs, for an in-process run).
 */
export const MAX_SERVERS_PER_ROLE = 64;

/**
 * What the embedded servers cannot serve of a scenario: one message per role with more distinct
 * URLs than MAX_SERVERS_PER_ROLE (a role served by an external server is not counted). Empty: fine.
 */
export function unservable(cfg: Pick<StubConfig, 'sups' | 'dps'>, external: { readonly wsus?: string | undefined; readonly dp?: string | undefined } = {}): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const check = (path: string, what: string, l: readonly string[], ext: string | undefined) => {
    const n = distinct(l).length;
    if (ext === undefined && n > MAX_SERVERS_PER_ROLE) out.push({ path, message: `${n} distinct ${what}: the embedded HTTP stubs serve at most ${MAX_SERVERS_PER_ROLE}, a port each (in-process runs take any number)` });
  };
  check('site.sups', 'SUPs', cfg.sups, external?.wsus);
  check('site.dps', 'DPs', cfg.dps, external?.dp);
  return out;
}

/** Distinct entries in first-seen order. */
export function distinct(l: readonly string[]): string[] {
  return [...new Set(l)];
}

/** The port of server k of a role: consecutive from a fixed first port, or any free one. */
export function portOf(first: number | undefined, k: number): number {
  return first === undefined || first === 0 ? 0 : first + k;
}

/**
 * The core's configuration over HTTP: the SUP and DP URLs are the servers' (the MP lists them,
 * the WSUS capacity model keys its pools by them, faults naming a SUP or a DP match them).
 */
export function servedConfig(cfg: StubConfig, served: ReadonlyMap<string, string>): StubConfig {
  const to = (u: string) => served.get(u) ?? u;
  const pool = cfg.wsusPool;
  return {
    ...cfg,
    sups: distinct(cfg.sups.map(to)),
    dps: distinct(cfg.dps.map(to)),
    faults: cfg.faults.map((f) => ({ ...f, sup: f.sup === null ? null : to(f.sup), ...(f.dp !== undefined && f.dp !== null ? { dp: to(f.dp) } : {}) })),
    ...(pool !== undefined && pool !== null && pool.sups !== null ? { wsusPool: { ...pool, sups: distinct(pool.sups.map(to)) } } : {}),
  };
}

