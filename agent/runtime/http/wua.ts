// The Windows Update Agent's online scan over MS-WUSP, as the real client
// runs it (captures), doing what GetConfig says:
// - GetConfig; then the authorization its AuthInfo names: with a
//   SimpleTargeting plug-in, GetAuthorizationCookie at the plug-in's ServiceUrl
//   (spec 2.2.2.2.1: the client MUST use that URL) and GetCookie with that
//   cookie; with an Anonymous plug-in, or none, no SimpleAuth call and GetCookie
//   with an empty authCookies; none of the three while the cookie of the
//   client's last scan of this SUP has not expired (session, sessions.ts);
// - RegisterComputer only when IsRegistrationRequired (once per client and
//   server), and again on a RegistrationRequired fault;
// - StartCategoryScan: an older server that does not implement it (a SOAP
//   fault, an HTTP error status, a closed connection, an unreadable answer)
//   does not fail the scan; a timeout or an unreachable server does;
// - the SyncUpdates software pass, paged: the revisions received so far, and
//   those the WUA datastore already holds from this server (input cache), go
//   back as InstalledNonLeafUpdateIDs / OtherCachedUpdateIDs until a page is
//   not truncated and brings no new non-leaf revision; with a cache the server
//   sends only what is new (a delta scan); OutOfScopeRevisionIDs leave the
//   cache; the driver pass (SkipSoftwareSync);
// - GetExtendedUpdateInfo for the new leaf revisions only (the held ones have
//   theirs), in chunks of MaxExtendedUpdatesPerRequest (1..10000; 50 when
//   missing or not a positive integer);
// - ReportEventBatch: event 147 (scan done), after a 148 (scan failed, with its
//   HRESULT) for each earlier failed scan not reported yet (HttpTransport keeps them).
// ProtocolVersion: the client sends "2.90" (Windows 11 25H2, captures) whatever
// the server says; the server's ProtocolVersion property is read and handed
// back (serverProtocolVersion). Nothing here depends on it: the behaviour the
// spec ties to versions is the server's (Properties only from 3.0 on; driver
// HardwareIDs for clients from 1.6 on), and the only operation newer than old
// servers that the agent calls, StartCategoryScan, is tolerated when missing.
// SOAP faults InvalidCookie, ServerChanged, ConfigChanged and CookieExpired
// are answered by running the cookie sequence again and repeating the call,
// once. After InvalidCookie and ServerChanged the client then calls
// RefreshCache (spec 2.2.2.4, 3.1.5.8) with the identities (UpdateID,
// RevisionNumber) of the revisions it holds, and keeps them under the revision
// ids the server answers; those it does not answer leave the datastore, and
// so do revisions whose identity the client never learned (the non-leaf ones
// of earlier scans: the next page brings them again). A server that does not
// answer RefreshCache (a fault, an HTTP error, a closed connection: a minimal
// server need not implement it) leaves the client as before: after
// ServerChanged it drops the datastore. ConfigChanged always drops it (the
// server's revision ids may mean something else now): in the software pass
// the pass starts again from nothing (that sync is a full one), after it the
// result says so (stale) and the transport makes the next scan full. After a
// FileLocationChanged fault the client calls GetFileLocations (spec 3.1.5.10)
// with the digests of the files it has locations for (those of this scan's
// GetExtendedUpdateInfo answers so far), takes its NewCookie and repeats the
// call, once; the agent downloads from the DPs ConfigMgr names, so the new
// locations are not used. Other faults fail the scan with 0x8024400E.

import type { Dispatcher } from 'undici';
import { fetchWhole, splitUrl, utf8Text, type HttpAnswer } from './fetch.js';
import {
  CONFIG_MAX_EXTENDED_UPDATES,
  CONFIG_PROTOCOL_VERSION,
  WUSP_EVENT,
  WUSP_SOURCE_ID_AGENT,
  ZERO_GUID,
  carriesMsCv,
  clientHeaders,
  configProperty,
  correlationVector,
  decodeResponse,
  encodeRequest,
  formatDateTime,
  isFault,
  readCoreFragment,
  type AuthorizationCookie,
  type Cookie,
  type GetConfigResponse,
  type ResponseOf,
  type UpdateIdentity,
  type WuspFault,
  type WuspOperation,
  type WuspRequest,
} from '../../wire/wusp/codec.js';
import { WireError } from '../../wire/errors.js';
import { hresultForError, hresultForStatus } from '../../wire/hresult.js';
import { HR } from '../../core/constants.js';

/** The client protocol version the agent sends (GetConfig, GetCookie): Windows 11 25H2's. */
export const CLIENT_PROTOCOL_VERSION = '2.90';
/** MaxExtendedUpdatesPerRequest when GetConfig's is missing or unusable (WSUS sends 50). */
export const DEFAULT_MAX_EXTENDED = 50;
const MAX_EXTENDED_CAP = 10_000;
/** The authorization plug-in that needs GetAuthorizationCookie (spec 2.2.2.2.1). */
export const PLUGIN_SIMPLE_TARGETING = 'SimpleTargeting';

export interface WuaScanInput {
  readonly sup: string;
  /** the client's id, a GUID without braces */
  readonly clientId: string;
  readonly dnsName: string;
  /** simulated time now (the client's clock, sent as currentTime / clientTime) */
  readonly now: () => number;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  /** clients that registered with this SUP already (RegisterComputer is sent once) */
  readonly registered: Set<string>;
  /** what the WUA datastore holds from this SUP (revision ids); none: a full scan */
  readonly cache?: WuaCache;
  /** called once per MS-WUSP operation sent (per-operation counters) */
  readonly onOperation?: (op: WuspOperation) => void;
  /** called when an operation's answer is in (ok: a 200 that decoded to no fault), for per-operation latency */
  readonly onOperationDone?: (op: WuspOperation, ok: boolean) => void;
  /**
   * Earlier scans of this client that failed and are not reported yet: each goes in this scan's
   * ReportEventBatch as an event 148 (AGENT_DETECTION_FAILED) before its 147. WUA keeps the
   * events it could not send and uploads them with its next batch.
   */
  readonly unreported?: readonly UnreportedFailure[];
  /**
   * The server cookie and GetConfig answer the client kept from its last scan of this SUP. While
   * the cookie has not expired the scan goes straight on with it: no GetConfig, GetAuthorizationCookie
   * or GetCookie (the captured client's second scan within the hour starts with SyncUpdates, its
   * cookie's Expiration unchanged; spec 3.1.5.2: the client caches GetConfig). Absent: every scan
   * runs the handshake.
   */
  readonly session?: SessionStore;
  /** the identity this SUP gave a revision id the cache holds (RefreshCache); undefined: never learned */
  readonly identityOf?: (revisionId: number) => UpdateIdentity | undefined;
}

/** What a client keeps between scans of one SUP (see WuaScanInput.session). */
export interface KeptSession {
  readonly cookie: Cookie;
  readonly config: GetConfigResponse;
}

export interface SessionStore {
  /** the session kept for this scan's client and SUP, while its cookie's Expiration is after `now` */
  get(now: number): KeptSession | undefined;
  /** a scan that completed keeps its last cookie */
  keep(s: KeptSession): void;
}

/** A failed scan the client has not reported yet: when it failed (simulated ms) and its HRESULT. */
export interface UnreportedFailure {
  readonly t: number;
  readonly code: number;
}

/** Revision ids the client holds from a server (MS-WUSP SyncUpdates cache feedback). */
export interface WuaCache {
  readonly installedNonLeaf: readonly number[];
  readonly otherCached: readonly number[];
}

/** What a scan's metadata sync brought. */
export interface WuaSync {
  /**
   * new leaf revisions: revision id -> the identity its core fragment names (UpdateID lower case;
   * updateId '' and revisionNumber 0 when it names none)
   */
  readonly leaves: ReadonlyMap<number, UpdateIdentity>;
  /**
   * A RefreshCache answered during the scan: each held revision id the server still
   * deploys -> its new revision id. Held ids not in it left the datastore.
   */
  readonly refreshed?: ReadonlyMap<number, number>;
  /** new non-leaf revisions (detectoids, categories: the client evaluates them installed) */
  readonly nonLeaf: readonly number[];
  /** held revisions the server called out of scope: the datastore drops them */
  readonly outOfScope: ReadonlySet<number>;
  /** the input cache was dropped in the software pass (ServerChanged / ConfigChanged): the pass started again, this sync was a full one */
  readonly dropped: boolean;
  /** the datastore was dropped after the software pass: what this scan holds may be stale, the next scan must be full */
  readonly stale: boolean;
  /** SyncUpdates calls (software pages and the driver pass) */
  readonly syncRounds: number;
  /** the server's ProtocolVersion property (GetConfig), null when it sent none */
  readonly serverProtocolVersion: string | null;
}

export type WuaScanResult =
  | { readonly ok: true; readonly updateIds: string[]; readonly sync: WuaSync; readonly operations: number }
  | { readonly ok: false; readonly code: number; readonly operations: number; readonly dropped: boolean };

/** What a revision whose core fragment names no UpdateIdentity is known by (RefreshCache cannot name it). */
const NO_IDENTITY: UpdateIdentity = Object.freeze({ updateId: '', revisionNumber: 0 });

const RECOVER = new Set(['InvalidCookie', 'ServerChanged', 'ConfigChanged', 'CookieExpired']);
/** Faults after which the client's revision ids may mean nothing to the server. */
const DROP_CACHE = new Set(['ConfigChanged']);
/** Faults whose recovery ends with RefreshCache (spec 2.2.2.4); without an answer to it, ServerChanged drops the datastore. */
const REFRESH = new Set(['InvalidCookie', 'ServerChanged']);
/** Failures of StartCategoryScan the scan goes on after: the server does not implement it. */
const NOT_IMPLEMENTED = new Set<number>([HR.PT_SOAPCLIENT_SOAPFAULT, HR.PT_SOAPCLIENT_PARSE, HR.WINHTTP_CONNECTION_ERROR]);

/** A failed exchange: the HRESULT the real client would report. */
class ScanFailure extends Error {
  constructor(readonly code: number, readonly fault?: WuspFault, readonly httpStatus?: number) {
    super(`scan failed 0x${(code >>> 0).toString(16)}`);
  }
}

/** MaxExtendedUpdatesPerRequest as a usable chunk size. */
export function maxExtendedUpdates(config: GetConfigResponse): number {
  const v = configProperty(config, CONFIG_MAX_EXTENDED_UPDATES);
  const n = v === undefined || !/^\s*\d+\s*$/.test(v) ? NaN : Number(v);
  if (!(n >= 1)) return DEFAULT_MAX_EXTENDED;
  return Math.min(n, MAX_EXTENDED_CAP);
}

export async function wuaScan(i: WuaScanInput): Promise<WuaScanResult> {
  let ops = 0;
  let msCvN = 0;
  const msCvBase = Buffer.from(i.clientId.replace(/-/g, '').slice(0, 24), 'hex').toString('base64').slice(0, 16).padEnd(16, 'A');
  const base = i.sup.replace(/\/$/, '');

  const call = async <O extends WuspOperation>(msg: Extract<WuspRequest, { op: O }>, url?: string): Promise<ResponseOf<O>> => {
    if (i.onOperationDone === undefined) return send(msg, url);
    let ok = false;
    try {
      const r = await send(msg, url);
      ok = true;
      return r;
    } finally {
      i.onOperationDone(msg.op, ok);
    }
  };

  const send = async <O extends WuspOperation>(msg: Extract<WuspRequest, { op: O }>, url?: string): Promise<ResponseOf<O>> => {
    const { path, soapAction, body } = encodeRequest(msg);
    const bytes = Buffer.from(body, 'utf8');
    const headers = clientHeaders(soapAction, bytes.length, carriesMsCv(msg.op) ? { msCv: correlationVector(msCvBase, ++msCvN) } : {});
    ops++;
    i.onOperation?.(msg.op);
    let res: HttpAnswer;
    try {
      // the whole answer in one (fetch.ts: cheaper than request() and body.text())
      res = await fetchWhole(i.dispatcher, {
        ...splitUrl(url ?? base + path),
        method: 'POST',
        headers: headers.filter(([k]) => k !== 'Connection' && k !== 'Content-Length').flat(),
        body: bytes,
        headersTimeout: i.timeoutMs,
        bodyTimeout: i.timeoutMs,
      });
    } catch (err) {
      throw new ScanFailure(hresultForError(err) || HR.WINHTTP_CONNECTION_ERROR);
    }
    const text = utf8Text(res.body);
    if (res.status === 200 || res.status === 500) {
      let r;
      try {
        r = decodeResponse(msg.op, text);
      } catch (err) {
        if (res.status === 500) throw new ScanFailure(hresultForStatus(500), undefined, 500);
        if (err instanceof WireError) throw new ScanFailure(HR.PT_SOAPCLIENT_PARSE);
        throw err;
      }
      if (isFault(r)) throw new ScanFailure(HR.PT_SOAPCLIENT_SOAPFAULT, r);
      return r as ResponseOf<O>;
    }
    throw new ScanFailure(hresultForStatus(res.status), undefined, res.status);
  };

  let config: GetConfigResponse | null = null;
  let cookie: Cookie | null = null;
  const cookieSequence = async (): Promise<void> => {
    const cfg = await call({ op: 'GetConfig', protocolVersion: CLIENT_PROTOCOL_VERSION });
    config = cfg;
    // SimpleTargeting: authorize at the plug-in's ServiceUrl; Anonymous (or no plug-in): nothing to authorize
    const simple = cfg.authInfo.find((a) => a.plugInId === PLUGIN_SIMPLE_TARGETING);
    const authCookies: AuthorizationCookie[] = [];
    if (simple !== undefined) {
      const url = simple.serviceUrl.trim() === '' ? undefined : new URL(simple.serviceUrl, base + '/').href;
      const auth = await call({ op: 'GetAuthorizationCookie', clientId: i.clientId, dnsName: i.dnsName }, url);
      authCookies.push(auth.cookie);
    }
    const got = await call({
      op: 'GetCookie',
      authCookies,
      oldCookie: { expiration: formatDateTime(i.now()) },
      lastChange: cfg.lastChange,
      currentTime: formatDateTime(i.now()),
      protocolVersion: CLIENT_PROTOCOL_VERSION,
    });
    cookie = got.cookie;
  };

  // the datastore: what came in with the scan, and what this scan received
  let carried: WuaCache = i.cache ?? { installedNonLeaf: [], otherCached: [] };
  const seen = new Map<number, UpdateIdentity>(); // revision id -> its identity (NO_IDENTITY: the core fragment names none)
  const nonLeaf = new Set<number>();
  /** held revision id -> the id after a RefreshCache (the latest one wins: ids are chained through) */
  let refreshed: Map<number, number> | null = null;
  /** the file digests (base64 SHA-1) of the FileLocations this scan received: what GetFileLocations asks about */
  const digests: string[] = [];
  /** identities RefreshCache answered, by their new revision ids */
  const identities = new Map<number, UpdateIdentity>();
  const outOfScope = new Set<number>();
  let dropped = false;
  let stale = false;
  let inPass = true;
  let syncRounds = 0;
  const dropCache = (): void => {
    if (!inPass) {
      // what this scan synced stays its result; the next scan starts from nothing
      stale = true;
      return;
    }
    dropped = true;
    carried = { installedNonLeaf: [], otherCached: [] };
    seen.clear();
    nonLeaf.clear();
    outOfScope.clear();
  };

  const register = async (): Promise<void> => {
    await call<'RegisterComputer'>({ op: 'RegisterComputer', cookie: cookie!, computerInfo: computerInfo(i.dnsName) });
    i.registered.add(i.clientId);
  };

  /**
   * RefreshCache (spec 3.1.5.8): the identities of what the client holds, mapped to this
   * server's revision ids. true: done (or nothing to map); false: the server does not answer it.
   */
  const refreshCache = async (): Promise<boolean> => {
    const globalIds: UpdateIdentity[] = [];
    const oldOf = new Map<string, number[]>();
    const add = (id: number, g: UpdateIdentity | undefined): void => {
      if (g === undefined || g.updateId === '') return;
      const k = `${g.updateId.toLowerCase()}|${g.revisionNumber}`;
      const olds = oldOf.get(k);
      if (olds !== undefined) olds.push(id);
      else {
        oldOf.set(k, [id]);
        globalIds.push(g);
      }
    };
    const heldIds = [...carried.installedNonLeaf, ...carried.otherCached];
    for (const id of heldIds) add(id, identities.get(id) ?? i.identityOf?.(id));
    for (const [id, g] of seen) add(id, g);
    if (globalIds.length === 0) return heldIds.length === 0 && seen.size === 0;
    let r: ResponseOf<'RefreshCache'>;
    try {
      r = await call({ op: 'RefreshCache', cookie: cookie!, globalIds });
    } catch (err) {
      // a server without RefreshCache; a timeout or an unreachable server fails the scan
      if (err instanceof ScanFailure && (NOT_IMPLEMENTED.has(err.code) || err.httpStatus !== undefined)) return false;
      throw err;
    }
    const now = new Map<number, number>();
    for (const x of r.results) {
      for (const old of oldOf.get(`${x.globalId.updateId.toLowerCase()}|${x.globalId.revisionNumber}`) ?? []) {
        now.set(old, x.revisionId);
        // a second RefreshCache in the scan names the held revisions by their new ids
        identities.set(x.revisionId, x.globalId);
      }
    }
    const remap = (ids: readonly number[]): number[] => ids.flatMap((id) => (now.has(id) ? [now.get(id)!] : []));
    // the ids the scan came with -> their id now: what the datastore renames (or forgets, when left out)
    refreshed ??= new Map(heldIds.map((id) => [id, id]));
    for (const [orig, cur] of refreshed) {
      const next = now.get(cur);
      if (next === undefined) refreshed.delete(orig);
      else refreshed.set(orig, next);
    }
    carried = { installedNonLeaf: remap(carried.installedNonLeaf), otherCached: remap(carried.otherCached) };
    const was = [...seen];
    const wasNonLeaf = new Set(nonLeaf);
    seen.clear();
    nonLeaf.clear();
    for (const [id, g] of was) {
      const next = now.get(id);
      if (next === undefined) continue;
      seen.set(next, g);
      if (wasNonLeaf.has(id)) nonLeaf.add(next);
    }
    return true;
  };

  /** A call that needs the cookie; recovers once from a cookie fault (and a RegistrationRequired). */
  const withCookie = async <O extends WuspOperation>(make: (c: Cookie) => Extract<WuspRequest, { op: O }>): Promise<ResponseOf<O>> => {
    try {
      return await call<O>(make(cookie!));
    } catch (err) {
      const code = err instanceof ScanFailure ? err.fault?.errorCode : undefined;
      if (code !== undefined && RECOVER.has(code)) {
        await cookieSequence();
        if (DROP_CACHE.has(code)) dropCache();
        else if (REFRESH.has(code) && !(await refreshCache()) && code === 'ServerChanged') dropCache();
        return await call<O>(make(cookie!));
      }
      if (code === 'RegistrationRequired') {
        await register();
        return await call<O>(make(cookie!));
      }
      if (code === 'FileLocationChanged') {
        // spec 3.1.5.10: the client MUST ask for the locations of the files it knows, then go on
        const r = await call({ op: 'GetFileLocations', cookie: cookie!, fileDigests: digests });
        if (r.newCookie !== undefined) cookie = r.newCookie;
        return await call<O>(make(cookie!));
      }
      throw err;
    }
  };

  try {
    const kept = i.session?.get(i.now());
    if (kept !== undefined) {
      config = kept.config;
      cookie = kept.cookie;
    } else {
      await cookieSequence();
    }
    const cfg = config as GetConfigResponse | null;
    if (cfg !== null && cfg.isRegistrationRequired && !i.registered.has(i.clientId)) {
      await withCookie<'RegisterComputer'>((c) => ({ op: 'RegisterComputer', cookie: c, computerInfo: computerInfo(i.dnsName) }));
      i.registered.add(i.clientId);
    }
    try {
      await call({ op: 'StartCategoryScan', requestedCategories: [] });
    } catch (err) {
      // an older server without StartCategoryScan: the real client syncs all the same
      if (!(err instanceof ScanFailure) || !(NOT_IMPLEMENTED.has(err.code) || err.httpStatus !== undefined)) throw err;
    }
    // software pass
    const ids = (held: readonly number[], got: Iterable<number>): number[] | undefined => {
      const out: number[] = [];
      for (const id of held) if (!outOfScope.has(id)) out.push(id);
      for (const id of got) out.push(id);
      return out.length === 0 ? undefined : out; // the real client's first page omits empty arrays (capture)
    };
    for (let page = 0; page < 1000; page++) {
      const r = await withCookie<'SyncUpdates'>((c) => ({
        op: 'SyncUpdates',
        cookie: c,
        parameters: {
          expressQuery: false,
          installedNonLeafUpdateIds: ids(carried.installedNonLeaf, nonLeaf),
          otherCachedUpdateIds: ids(carried.otherCached, [...seen.keys()].filter((id) => !nonLeaf.has(id))),
          skipSoftwareSync: false,
          needTwoGroupOutOfScopeUpdates: true,
          computerSpec: {},
        },
      }));
      syncRounds++;
      cookie = r.newCookie;
      for (const id of r.outOfScopeRevisionIds ?? []) outOfScope.add(id);
      let newNonLeaf = false;
      for (const u of r.newUpdates ?? []) {
        if (seen.has(u.id)) continue;
        const core = u.xml !== undefined ? readCoreFragment(u.xml) : null;
        seen.set(u.id, core === null ? NO_IDENTITY : { updateId: core.updateId.toLowerCase(), revisionNumber: core.revisionNumber });
        if (!u.isLeaf) {
          nonLeaf.add(u.id);
          newNonLeaf = true;
        }
      }
      if (!r.truncated && !newNonLeaf) break;
    }
    inPass = false;
    // driver pass
    const drivers = await withCookie<'SyncUpdates'>((c) => ({
      op: 'SyncUpdates',
      cookie: c,
      parameters: { expressQuery: false, skipSoftwareSync: true, systemSpec: [], computerSpec: { hardwareIds: [] } },
    }));
    syncRounds++;
    cookie = drivers.newCookie;
    // extended info (file locations) for the new leaf revisions, in chunks
    const max = maxExtendedUpdates(config as unknown as GetConfigResponse);
    const leaves = [...seen.keys()].filter((id) => !nonLeaf.has(id));
    for (let k = 0; k < leaves.length; k += max) {
      const x = await withCookie<'GetExtendedUpdateInfo'>((c) => ({
        op: 'GetExtendedUpdateInfo',
        cookie: c,
        revisionIds: leaves.slice(k, k + max),
        infoTypes: ['Extended', 'LocalizedProperties'],
        locales: ['en-US', 'en'],
      }));
      for (const f of x.fileLocations ?? []) digests.push(f.fileDigest);
    }
    const held = carried.otherCached.length - [...carried.otherCached].filter((id) => outOfScope.has(id)).length;
    await withCookie<'ReportEventBatch'>((c) => ({
      op: 'ReportEventBatch',
      cookie: c,
      clientTime: formatDateTime(i.now()),
      eventBatch: [...(i.unreported ?? []).map((f) => scanFailedEvent(i.clientId, f.t, f.code)), scanDoneEvent(i.clientId, i.now(), leaves.length + held)],
    }));
    if (cookie !== null && config !== null) i.session?.keep({ cookie, config });
    const leafMap = new Map<number, UpdateIdentity>();
    for (const id of leaves) leafMap.set(id, seen.get(id)!);
    return {
      ok: true,
      updateIds: leaves.map((id) => seen.get(id)!.updateId).filter((x) => x !== ''),
      sync: {
        leaves: leafMap,
        ...(refreshed !== null ? { refreshed } : {}),
        nonLeaf: [...nonLeaf],
        outOfScope,
        dropped,
        stale,
        syncRounds,
        serverProtocolVersion: (config !== null ? configProperty(config, CONFIG_PROTOCOL_VERSION) : undefined) ?? null,
      },
      operations: ops,
    };
  } catch (err) {
    if (err instanceof ScanFailure) return { ok: false, code: err.code, operations: ops, dropped: dropped || stale };
    throw err;
  }
}

function computerInfo(dnsName: string) {
  return {
    dnsName,
    osMajorVersion: 10,
    osMinorVersion: 0,
    osBuildNumber: 26200,
    osServicePackMajorNumber: 0,
    osServicePackMinorNumber: 0,
    osLocale: 'en-US',
    computerManufacturer: 'suca-fleet',
    computerModel: 'Emulated client',
    biosVersion: '1.0',
    biosName: 'Emulated BIOS',
    biosReleaseDate: '2024-01-01T00:00:00',
    processorArchitecture: 'AMD64',
    suiteMask: 256,
    oldProductType: 1,
    newProductType: 48,
    systemMetrics: 0,
    clientVersionMajorNumber: 1507,
    clientVersionMinorNumber: 2601,
    clientVersionBuildNumber: 30012,
    clientVersionQfeNumber: 0,
  };
}

function scanDoneEvent(clientId: string, t: number, count: number) {
  return agentEvent(clientId, t, WUSP_EVENT.scanDone, 0, [String(count)]);
}

/** Event 148, AGENT_DETECTION_FAILED: the HRESULT as Win32HResult (an xs:int) and as 0x%08X. */
function scanFailedEvent(clientId: string, t: number, code: number) {
  return agentEvent(clientId, t, WUSP_EVENT.scanFailed, code | 0, [`0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`]);
}

function agentEvent(clientId: string, t: number, eventId: number, win32HResult: number, replacementStrings: string[]) {
  return {
    basicData: {
      targetSid: clientId,
      sequenceNumber: 0,
      timeAtTarget: formatDateTime(t),
      eventInstanceId: eventGuid(clientId, t),
      namespaceId: 1,
      eventId,
      sourceId: WUSP_SOURCE_ID_AGENT,
      updateId: { updateId: ZERO_GUID, revisionNumber: 0 },
      win32HResult,
      appName: 'AutomaticUpdates',
    },
    extendedData: {
      replacementStrings,
      processorArchitecture: 'Amd64Compatible' as const,
      osVersion: { major: 10, minor: 0, build: 26200, revision: 0, servicePackMajor: 0, servicePackMinor: 0 },
      osLocaleId: 1033,
    },
    privateData: {},
  };
}

/** A deterministic event instance GUID from (client, time). */
function eventGuid(clientId: string, t: number): string {
  const h = Buffer.from(`${clientId}:${t}`).toString('hex').padEnd(32, '0').slice(-32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
