// The Windows Update Agent's online scan over MS-WUSP, as the real client
// runs it (captures): GetConfig, GetAuthorizationCookie, GetCookie,
// RegisterComputer (once per client and server), StartCategoryScan, the
// SyncUpdates software pass (paged: the revisions already received go back as
// cache feedback until a page is not truncated and brings no new non-leaf
// revision), the driver pass (SkipSoftwareSync), GetExtendedUpdateInfo in
// chunks of MaxExtendedUpdatesPerRequest, and ReportEventBatch (event 147,
// scan done). SOAP faults InvalidCookie, ServerChanged, ConfigChanged and
// CookieExpired are answered by running the cookie sequence again and
// repeating the call, once; other faults fail the scan with 0x8024400E.

import { request, type Dispatcher } from 'undici';
import {
  CONFIG_MAX_EXTENDED_UPDATES,
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
  type Cookie,
  type GetConfigResponse,
  type ResponseOf,
  type WuspFault,
  type WuspOperation,
  type WuspRequest,
} from '../../wire/wusp/codec.js';
import { WireError } from '../../wire/errors.js';
import { hresultForError, hresultForStatus } from '../../wire/hresult.js';
import { HR } from '../../core/constants.js';

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
  /** called once per MS-WUSP operation sent (per-operation counters) */
  readonly onOperation?: (op: WuspOperation) => void;
  /** called when an operation's answer is in (ok: a 200 that decoded to no fault), for per-operation latency */
  readonly onOperationDone?: (op: WuspOperation, ok: boolean) => void;
}

export type WuaScanResult =
  | { readonly ok: true; readonly updateIds: string[]; readonly operations: number }
  | { readonly ok: false; readonly code: number; readonly operations: number };

const RECOVER = new Set(['InvalidCookie', 'ServerChanged', 'ConfigChanged', 'CookieExpired']);

/** A failed exchange: the HRESULT the real client would report. */
class ScanFailure extends Error {
  constructor(readonly code: number, readonly fault?: WuspFault) {
    super(`scan failed 0x${(code >>> 0).toString(16)}`);
  }
}

export async function wuaScan(i: WuaScanInput): Promise<WuaScanResult> {
  let ops = 0;
  let msCvN = 0;
  const msCvBase = Buffer.from(i.clientId.replace(/-/g, '').slice(0, 24), 'hex').toString('base64').slice(0, 16).padEnd(16, 'A');

  const call = async <O extends WuspOperation>(msg: Extract<WuspRequest, { op: O }>): Promise<ResponseOf<O>> => {
    if (i.onOperationDone === undefined) return send(msg);
    let ok = false;
    try {
      const r = await send(msg);
      ok = true;
      return r;
    } finally {
      i.onOperationDone(msg.op, ok);
    }
  };

  const send = async <O extends WuspOperation>(msg: Extract<WuspRequest, { op: O }>): Promise<ResponseOf<O>> => {
    const { path, soapAction, body } = encodeRequest(msg);
    const bytes = Buffer.from(body, 'utf8');
    const headers = clientHeaders(soapAction, bytes.length, carriesMsCv(msg.op) ? { msCv: correlationVector(msCvBase, ++msCvN) } : {});
    ops++;
    i.onOperation?.(msg.op);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(i.sup.replace(/\/$/, '') + path, {
        method: 'POST',
        headers: headers.filter(([k]) => k !== 'Connection' && k !== 'Content-Length').flat(),
        body: bytes,
        dispatcher: i.dispatcher,
        headersTimeout: i.timeoutMs,
        bodyTimeout: i.timeoutMs,
      });
    } catch (err) {
      throw new ScanFailure(hresultForError(err, 'wua') || HR.WINHTTP_CONNECTION_ERROR);
    }
    const text = await res.body.text().catch((err: unknown) => {
      throw new ScanFailure(hresultForError(err, 'wua') || HR.WINHTTP_CONNECTION_ERROR);
    });
    if (res.statusCode === 200 || res.statusCode === 500) {
      let r;
      try {
        r = decodeResponse(msg.op, text);
      } catch (err) {
        if (res.statusCode === 500) throw new ScanFailure(hresultForStatus(500));
        if (err instanceof WireError) throw new ScanFailure(HR.PT_SOAPCLIENT_PARSE);
        throw err;
      }
      if (isFault(r)) throw new ScanFailure(HR.PT_SOAPCLIENT_SOAPFAULT, r);
      return r as ResponseOf<O>;
    }
    throw new ScanFailure(hresultForStatus(res.statusCode));
  };

  let config: GetConfigResponse | null = null;
  let cookie: Cookie | null = null;
  const cookieSequence = async (): Promise<void> => {
    config = await call({ op: 'GetConfig', protocolVersion: '2.90' });
    const auth = await call({ op: 'GetAuthorizationCookie', clientId: i.clientId, dnsName: i.dnsName });
    const got = await call({
      op: 'GetCookie',
      authCookies: [auth.cookie],
      oldCookie: { expiration: formatDateTime(i.now()) },
      lastChange: config.lastChange,
      currentTime: formatDateTime(i.now()),
      protocolVersion: '2.90',
    });
    cookie = got.cookie;
  };
  /** A call that needs the cookie; recovers once from a cookie fault. */
  const withCookie = async <O extends WuspOperation>(make: (c: Cookie) => Extract<WuspRequest, { op: O }>): Promise<ResponseOf<O>> => {
    try {
      return await call<O>(make(cookie!));
    } catch (err) {
      if (err instanceof ScanFailure && err.fault?.errorCode !== undefined && RECOVER.has(err.fault.errorCode)) {
        await cookieSequence();
        return await call<O>(make(cookie!));
      }
      throw err;
    }
  };

  try {
    await cookieSequence();
    const cfg = config as GetConfigResponse | null;
    if (cfg !== null && cfg.isRegistrationRequired && !i.registered.has(i.clientId)) {
      await withCookie<'RegisterComputer'>((c) => ({ op: 'RegisterComputer', cookie: c, computerInfo: computerInfo(i.dnsName) }));
      i.registered.add(i.clientId);
    }
    await call({ op: 'StartCategoryScan', requestedCategories: [] });
    // software pass
    const seen = new Map<number, string>(); // revision id -> update id
    const nonLeaf = new Set<number>();
    for (let page = 0; page < 1000; page++) {
      const r = await withCookie<'SyncUpdates'>((c) => ({
        op: 'SyncUpdates',
        cookie: c,
        parameters: {
          expressQuery: false,
          installedNonLeafUpdateIds: [...nonLeaf],
          otherCachedUpdateIds: [...seen.keys()].filter((id) => !nonLeaf.has(id)),
          skipSoftwareSync: false,
          needTwoGroupOutOfScopeUpdates: true,
          computerSpec: {},
        },
      }));
      cookie = r.newCookie;
      let newNonLeaf = false;
      for (const u of r.newUpdates ?? []) {
        if (seen.has(u.id)) continue;
        const core = u.xml !== undefined ? readCoreFragment(u.xml) : null;
        seen.set(u.id, core?.updateId ?? '');
        if (!u.isLeaf) {
          nonLeaf.add(u.id);
          newNonLeaf = true;
        }
      }
      if (!r.truncated && !newNonLeaf) break;
    }
    // driver pass
    const drivers = await withCookie<'SyncUpdates'>((c) => ({
      op: 'SyncUpdates',
      cookie: c,
      parameters: { expressQuery: false, skipSoftwareSync: true, systemSpec: [], computerSpec: { hardwareIds: [] } },
    }));
    cookie = drivers.newCookie;
    // extended info (file locations) for the leaf updates, in chunks
    const max = Number(configProperty(config as unknown as GetConfigResponse, CONFIG_MAX_EXTENDED_UPDATES) ?? 50) || 50;
    const leaves = [...seen.keys()].filter((id) => !nonLeaf.has(id));
    for (let k = 0; k < leaves.length; k += max) {
      await withCookie<'GetExtendedUpdateInfo'>((c) => ({
        op: 'GetExtendedUpdateInfo',
        cookie: c,
        revisionIds: leaves.slice(k, k + max),
        infoTypes: ['Extended', 'LocalizedProperties'],
        locales: ['en-US', 'en'],
      }));
    }
    await withCookie<'ReportEventBatch'>((c) => ({
      op: 'ReportEventBatch',
      cookie: c,
      clientTime: formatDateTime(i.now()),
      eventBatch: [scanDoneEvent(i.clientId, i.now(), leaves.length)],
    }));
    return { ok: true, updateIds: leaves.map((id) => seen.get(id)!).filter((x) => x !== ''), operations: ops };
  } catch (err) {
    if (err instanceof ScanFailure) return { ok: false, code: err.code, operations: ops };
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
  return {
    basicData: {
      targetSid: clientId,
      sequenceNumber: 0,
      timeAtTarget: formatDateTime(t),
      eventInstanceId: eventGuid(clientId, t),
      namespaceId: 1,
      eventId: WUSP_EVENT.scanDone,
      sourceId: WUSP_SOURCE_ID_AGENT,
      updateId: { updateId: ZERO_GUID, revisionNumber: 0 },
      win32HResult: 0,
      appName: 'AutomaticUpdates',
    },
    extendedData: {
      replacementStrings: [String(count)],
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
