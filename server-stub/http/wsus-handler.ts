// The stub WSUS over HTTP: MS-WUSP ClientWebService, SimpleAuthWebService and
// ReportingWebService through agent/wire/wusp, plus /Content. Stateless per
// client: everything the server needs between calls (who the client is, when
// its cookie expires) travels in the cookies it hands out, so 100,000 clients
// cost it no memory.
//
// What it answers (the minimum a real WUA client needs, after Microsoft's
// sample update server and the captures):
//   GetConfig               LastChange, registration required, SimpleTargeting, MaxExtendedUpdatesPerRequest 50
//   GetAuthorizationCookie  a cookie naming the client
//   GetCookie               a server cookie, valid 1 h (ConfigChanged when LastChange differs)
//   RegisterComputer        ok
//   StartCategoryScan       ok
//   SyncUpdates             the client's applicable updates it does not list as cached, 30 a page
//                           (Truncated), cached ids it no longer needs as OutOfScopeRevisionIDs, a fresh
//                           NewCookie (marked as a software page's: the next page is the same scan);
//                           the driver pass gets nothing and DriverSyncNotNeeded
//   GetExtendedUpdateInfo   the fragments asked for (Core, Extended, LocalizedProperties), grouped by type
//                           as WSUS 2025 sends them, and FileLocations (/Content/XX/SHA1.cab); at most
//                           50 ids; locales required with LocalizedProperties or Eula (spec 3.1.5.9)
//   RefreshCache            this server's revision id, IsLeaf and Deployment of each identity it serves
//                           the client; identities it does not serve are left out (spec 3.1.5.8)
//   GetFileLocations        a FileLocation for each digest of a catalogue file, a NewCookie; unknown
//                           digests are left out, a digest not of 20 bytes is InvalidParameters (3.1.5.10)
//   GetExtendedUpdateInfo2  GetExtendedUpdateInfo by identity, with UpdateEncryptionDetails (nothing is
//                           encrypted); the spec gives no rules for it, so 3.1.5.9's apply
//   SyncPrinterCatalog      no printer drivers: an empty SyncInfo with a NewCookie (3.1.5.12)
//   ReportEventBatch        true
// Not answered: GetConfig2 and GetTimestamps, which MS-WUSP does not define (codec.ts: 400).
// Faults of the scenario (target "wsus", per operation) are applied here as
// real HTTP effects: status, delay, reset, SOAP fault, dropped answer.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StubCore } from '../core/index.js';
import { servedApplicable } from '../core/catalogue-sync.js';
import {
  CONFIG_MAX_EXTENDED_UPDATES,
  CONTENT_TYPE,
  FAULT_HTTP_STATUS,
  decodeRequest,
  encodeFault,
  encodeResponse,
  formatDateTime,
  makeFault,
  serviceForPath,
  WuspRequestFault,
  type Cookie,
  type FileLocation,
  type RefreshCacheResult,
  type UpdateData,
  type UpdateIdentity,
  type UpdateInfo,
  type XmlUpdateFragmentType,
  type WuspErrorCode,
  type WuspOperation,
  type WuspRequest,
  type WuspResponse,
} from '../../agent/wire/wusp/codec.js';
import { ClientRegistry } from '../core/clients.js';
import { contentIndex, wsusContentUrl, type ContentIndex, type ContentStats } from './content.js';
import { contentHandler } from './dp-handler.js';
import { renderFailure, sendPlanned } from './faults.js';
import { sendError, type RoleHandler } from './server.js';

/** text/xml, with no parameter but charset=utf-8 (any case, optionally quoted). */
const SOAP11_CONTENT_TYPE = /^\s*text\/xml\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i;

/** Updates per SyncUpdates page (WSUS 2025 in the captures). */
export const PAGE_SIZE = 30;
const MAX_EXTENDED = 50;
const COOKIE_TTL_MS = 60 * 60_000;
/** Server-local revision ids: update index + this. */
export const REVISION_BASE = 1000;

export interface WsusStats {
  /** requests per MS-WUSP operation */
  readonly operations: Map<WuspOperation, number>;
  /**
   * software-pass scans begun: a software SyncUpdates whose cookie was not
   * handed out by a software page (so a delta scan, which sends cached ids
   * from its first page on, counts too)
   */
  scans: number;
  faults: number;
  /** SyncUpdates calls answered (software pages and driver passes) */
  syncRounds: number;
  /** update metadata (UpdateInfo) sent in SyncUpdates pages */
  updatesSent: number;
  /** requests the capacity model refused (queue full, recycling) or failed (a recycle while in the pool) */
  poolRefusals: number;
}

interface CookieData {
  /** client index */
  readonly c: number;
  /** expiry, simulated epoch ms */
  readonly x: number;
  /** 1: handed out by a software SyncUpdates page (the next software page continues that pass) */
  readonly p?: 1;
}

export interface WsusHandlerOptions {
  readonly core: StubCore;
  /** simulated time now */
  readonly clock: () => number;
  /** the SUP URL clients were given for this server (fault matching by SUP); null: any */
  readonly supUrl?: string | null;
  /** wall ms per simulated ms of the capacity model's delays (default 1; see StubServersOptions) */
  readonly poolWallPerSimulatedMs?: number;
}

export function wsusHandler(o: WsusHandlerOptions, stats: WsusStats, content: ContentStats): RoleHandler {
  const { core } = o;
  const cat = core.catalogue;
  const registry = new ClientRegistry(core.cfg.seed, core.cfg.clients, core.cfg.firstClient);
  const lastChange = formatDateTime(core.cfg.start);
  const serveContent = contentHandler(core, content);
  const count = (op: WuspOperation) => stats.operations.set(op, (stats.operations.get(op) ?? 0) + 1);

  const issueCookie = (c: number, t: number, inPass = false): Cookie => ({
    expiration: formatDateTime(t + COOKIE_TTL_MS),
    encryptedData: Buffer.from(JSON.stringify((inPass ? { c, x: t + COOKIE_TTL_MS, p: 1 } : { c, x: t + COOKIE_TTL_MS }) satisfies CookieData)).toString('base64'),
  });

  /** The client a cookie names; a WUSP error code when it is not a cookie of ours or has expired. */
  const readCookie = (cookie: Cookie, t: number): CookieData | WuspErrorCode => {
    let d: CookieData;
    try {
      d = JSON.parse(Buffer.from(cookie.encryptedData, 'base64').toString('utf8')) as CookieData;
    } catch {
      return 'InvalidCookie';
    }
    if (typeof d?.c !== 'number' || typeof d?.x !== 'number') return 'InvalidCookie';
    if (d.x <= t) return 'CookieExpired';
    return d;
  };

  const updateXml = (u: number) =>
    `<UpdateIdentity UpdateID="${cat.ids[u]!.toLowerCase()}" RevisionNumber="${cat.revision[u]}" /><Properties UpdateType="Software" /><Relationships></Relationships>`;
  // Every client is sent the same metadata of an update: one frozen item per
  // update, which the WUSP encoder escapes and assembles once (schema.ts
  // encodeFrozenItem). 136 -> 3.5 us a 30-update page (BENCHMARKS.md).
  const DEPLOYMENT = Object.freeze({ id: 1, action: 'Install', isAssigned: true, lastChangeTime: lastChange.slice(0, 10), autoSelect: '0', autoDownload: '0', supersedenceBehavior: '0' } as const);
  const updateInfos: (UpdateInfo | undefined)[] = [];
  const updateInfo = (u: number): UpdateInfo =>
    (updateInfos[u] ??= Object.freeze({
      id: REVISION_BASE + u,
      deployment: DEPLOYMENT,
      isLeaf: true,
      xml: updateXml(u),
    }));
  // an update's file digest, in the extended info and in every FileLocation alike
  const digests: (string | undefined)[] = [];
  const digestOf = (u: number): string => (digests[u] ??= sha1Base64(cat.sha1[u]!));
  const extendedInfos: (UpdateData | undefined)[] = [];
  const extendedInfo = (u: number): UpdateData =>
    (extendedInfos[u] ??= Object.freeze({
      id: REVISION_BASE + u,
      xml: `<ExtendedProperties DefaultPropertiesLanguage="en" Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Cbs" MaxDownloadSize="${cat.bytes[u]}" /><Files><File Digest="${digestOf(u)}" FileName="windows-kb${cat.kb[u]}-x64.cab" Size="${cat.bytes[u]}" /></Files>`,
    }));
  const localizedInfos: (UpdateData | undefined)[] = [];
  const localizedInfo = (u: number): UpdateData =>
    (localizedInfos[u] ??= Object.freeze({
      id: REVISION_BASE + u,
      xml: `<LocalizedProperties><Language>en</Language><Title>Update for Windows (KB${cat.kb[u]})</Title></LocalizedProperties>`,
    }));
  const coreInfos: (UpdateData | undefined)[] = [];
  const coreInfo = (u: number): UpdateData => (coreInfos[u] ??= Object.freeze({ id: REVISION_BASE + u, xml: updateXml(u) }));

  // identities and digests back to catalogue indices, built on the first call that needs them
  let byIdentity: Map<string, number> | null = null;
  const indexOfIdentity = (g: UpdateIdentity): number => {
    if (byIdentity === null) {
      byIdentity = new Map();
      for (let u = 0; u < cat.size; u++) byIdentity.set(cat.ids[u]!.toLowerCase(), u);
    }
    const u = byIdentity.get(g.updateId.toLowerCase());
    return u !== undefined && cat.revision[u] === g.revisionNumber ? u : -1;
  };
  // the /Content paths' own index (content.ts), by upper-case SHA-1 hex
  let files: ContentIndex | null = null;
  const indexOfDigest = (digest: string): number => (files ??= contentIndex(cat)).bySha1.get(Buffer.from(digest, 'base64').toString('hex').toUpperCase()) ?? -1;

  /** spec 3.1.5.9: the fragments asked for, one entry per update and type, grouped by type (WSUS 2025's order); null: locales missing */
  const fragments = (us: readonly number[], infoTypes: readonly XmlUpdateFragmentType[], locales: readonly string[] | undefined): UpdateData[] | null => {
    if ((infoTypes.includes('LocalizedProperties') || infoTypes.includes('Eula')) && (locales === undefined || locales.length === 0)) return null;
    const out: UpdateData[] = [];
    if (infoTypes.includes('Core')) for (const u of us) out.push(coreInfo(u));
    if (infoTypes.includes('Extended')) for (const u of us) out.push(extendedInfo(u));
    if (infoTypes.includes('LocalizedProperties')) for (const u of us) out.push(localizedInfo(u));
    return out;
  };

  const answer = (m: WuspRequest, t: number, base: string): WuspResponse | WuspErrorCode | Refusal => {
    switch (m.op) {
      case 'GetConfig':
        return {
          op: 'GetConfig',
          lastChange,
          isRegistrationRequired: true,
          authInfo: [{ plugInId: 'SimpleTargeting', serviceUrl: 'SimpleAuthWebService/SimpleAuth.asmx', parameter: '' }],
          properties: [
            { name: CONFIG_MAX_EXTENDED_UPDATES, value: String(MAX_EXTENDED) },
            { name: 'PackageServerShare', value: '' },
            { name: 'ProtocolVersion', value: '3.2' },
            { name: 'IsInventoryRequired', value: '0' },
            { name: 'ClientReportingLevel', value: '2' },
          ],
        };
      case 'GetAuthorizationCookie': {
        const c = registry.indexOf(m.clientId);
        return { op: 'GetAuthorizationCookie', cookie: { plugInId: 'SimpleTargeting', cookieData: Buffer.from(JSON.stringify({ c })).toString('base64') } };
      }
      case 'GetCookie': {
        if (m.lastChange !== lastChange) return 'ConfigChanged';
        const auth = m.authCookies[0];
        let c: number;
        try {
          c = (JSON.parse(Buffer.from(auth?.cookieData ?? '', 'base64').toString('utf8')) as { c: number }).c;
        } catch {
          return 'InvalidAuthorizationCookie';
        }
        if (typeof c !== 'number') return 'InvalidAuthorizationCookie';
        return { op: 'GetCookie', cookie: issueCookie(c, t) };
      }
      case 'StartCategoryScan':
        return { op: 'StartCategoryScan' };
      default:
        break;
    }
    // the rest carry a cookie
    const d = readCookie(m.cookie, t);
    if (typeof d === 'string') return d;
    switch (m.op) {
      case 'RegisterComputer':
        return { op: 'RegisterComputer' };
      case 'SyncUpdates': {
        const p = m.parameters;
        stats.syncRounds++;
        core.wsus.counters.syncRounds++;
        if (p.skipSoftwareSync) return { op: 'SyncUpdates', truncated: false, newCookie: issueCookie(d.c, t), driverSyncNotNeeded: true };
        const known = new Set<number>([...(p.installedNonLeafUpdateIds ?? []), ...(p.otherCachedUpdateIds ?? [])]);
        if (d.p !== 1) {
          // the first page of a software pass (full, or a delta that sends the client's cached ids):
          // one scan, as server-stub/core counts it for the peak per minute
          stats.scans++;
          core.wsus.begin(t, o.supUrl ?? core.cfg.sups[0]!, known.size > 0, d.c);
        }
        const todo: number[] = [];
        const needed = new Set<number>();
        for (const u of servedApplicable(core.cfg.seed, cat, d.c, t)) {
          needed.add(REVISION_BASE + u);
          if (!known.has(REVISION_BASE + u)) todo.push(u);
        }
        // spec 3.1.5.7: cached revisions the client no longer needs are out of scope (it drops them)
        const outOfScope: number[] = [];
        for (const id of known) if (!needed.has(id)) outOfScope.push(id);
        const page = todo.slice(0, PAGE_SIZE);
        stats.updatesSent += page.length;
        core.wsus.counters.updatesSent += page.length;
        const newUpdates: UpdateInfo[] = page.map((u) => updateInfo(u));
        return {
          op: 'SyncUpdates',
          newUpdates,
          ...(outOfScope.length > 0 ? { outOfScopeRevisionIds: outOfScope } : {}),
          truncated: todo.length > PAGE_SIZE,
          newCookie: issueCookie(d.c, t, true),
        };
      }
      case 'GetExtendedUpdateInfo': {
        if (m.revisionIds.length > MAX_EXTENDED) return tooMany('revisionIDs', m.revisionIds.length);
        const us: number[] = [];
        const outOfScope: number[] = [];
        for (const id of m.revisionIds) {
          const u = id - REVISION_BASE;
          if (u < 0 || u >= cat.size) outOfScope.push(id);
          else us.push(u);
        }
        const updates = fragments(us, m.infoTypes, m.locales);
        if (updates === null) return NO_LOCALES;
        const fileLocations = us.map((u) => ({ fileDigest: digestOf(u), url: wsusContentUrl(base, cat, u) }));
        return { op: 'GetExtendedUpdateInfo', updates, fileLocations, ...(outOfScope.length > 0 ? { outOfScopeRevisionIds: outOfScope } : {}) };
      }
      case 'GetExtendedUpdateInfo2': {
        if (m.updateIds.length > MAX_EXTENDED) return tooMany('updateIDs', m.updateIds.length);
        const us: number[] = [];
        for (const g of m.updateIds) {
          const u = indexOfIdentity(g);
          if (u >= 0) us.push(u);
        }
        const updates = fragments(us, m.infoTypes, m.locales);
        if (updates === null) return NO_LOCALES;
        return {
          op: 'GetExtendedUpdateInfo2',
          updates,
          fileLocations: us.map((u) => ({ fileDigest: digestOf(u), url: wsusContentUrl(base, cat, u) })),
          updateEncryptionDetails: us.map((u) => ({ updateIdentity: { updateId: cat.ids[u]!.toLowerCase(), revisionNumber: cat.revision[u]! }, hasEncryptedFiles: false })),
        };
      }
      case 'RefreshCache': {
        // what this server deploys to the client now: what SyncUpdates would offer it
        const served = new Set(servedApplicable(core.cfg.seed, cat, d.c, t));
        const results: RefreshCacheResult[] = [];
        for (const g of m.globalIds) {
          const u = indexOfIdentity(g);
          if (u >= 0 && served.has(u)) results.push({ revisionId: REVISION_BASE + u, globalId: g, isLeaf: true, deployment: DEPLOYMENT });
        }
        return { op: 'RefreshCache', results };
      }
      case 'GetFileLocations': {
        const fileLocations: FileLocation[] = [];
        for (const digest of m.fileDigests) {
          const u = indexOfDigest(digest);
          if (u >= 0) fileLocations.push({ fileDigest: digestOf(u), url: wsusContentUrl(base, cat, u) });
        }
        return { op: 'GetFileLocations', fileLocations, newCookie: issueCookie(d.c, t) };
      }
      case 'SyncPrinterCatalog':
        // the catalogue holds no printer drivers; every cached printer revision is out of scope
        return {
          op: 'SyncPrinterCatalog',
          ...(m.printerUpdateIds !== undefined && m.printerUpdateIds.length > 0 ? { outOfScopeRevisionIds: [...m.printerUpdateIds] } : {}),
          truncated: false,
          newCookie: issueCookie(d.c, t),
        };
      case 'ReportEventBatch':
        return { op: 'ReportEventBatch', result: true };
      default:
        return 'InvalidParameters';
    }
  };

  const clientOf = (m: WuspRequest, t: number): number => {
    if ('cookie' in m && m.cookie !== undefined && (m.cookie as Cookie).encryptedData !== undefined) {
      const d = readCookie(m.cookie as Cookie, t);
      if (typeof d !== 'string') return d.c;
    }
    if (m.op === 'GetAuthorizationCookie') return registry.indexOf(m.clientId);
    return -1;
  };

  return (req: IncomingMessage, res: ServerResponse, body: Buffer, ctx) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path.toLowerCase().startsWith('/content/')) return serveContent(req, res, body, ctx);
    }
    if (serviceForPath(path) === null) {
      ctx.refuse('not-found');
      return sendError(res, 404, `${path}: not a WSUS endpoint (/ClientWebService/client.asmx, /SimpleAuthWebService/SimpleAuth.asmx, /ReportingWebService/ReportingWebService.asmx, /Content/...)`);
    }
    if (req.method !== 'POST') {
      ctx.refuse('method');
      res.setHeader('Allow', 'POST');
      return sendError(res, 405, `${req.method} ${path}: WSUS web services take POST`);
    }
    // SOAP 1.1 over HTTP is text/xml, and WUSP is UTF-8 (WCF and ASP.NET answer anything else with 415)
    const ct = header(req, 'content-type');
    if (ct === undefined || !SOAP11_CONTENT_TYPE.test(ct)) {
      ctx.refuse('SUCA_ERR_WIRE_SOAP');
      return sendError(res, 415, `SUCA_ERR_WIRE_SOAP: Content-Type ${JSON.stringify((ct ?? '').slice(0, 100))} is not SOAP 1.1 in UTF-8 (${CONTENT_TYPE})`);
    }
    const t = o.clock();
    // throws WireError on bad input: the server guard answers 400 with the code and where;
    // a request the WSDL allows but no server can serve (no cookie) gets the WUSP fault WSUS sends
    let m: WuspRequest;
    try {
      m = decodeRequest(header(req, 'soapaction'), path, body);
    } catch (e) {
      if (!(e instanceof WuspRequestFault)) throw e;
      ctx.refuse(`wusp-fault:${e.errorCode}`);
      return sendSoap(res, FAULT_HTTP_STATUS, encodeFault(makeFault(e.errorCode, { message: `${e.where}: ${e.errorCode === 'InvalidCookie' ? 'no cookie' : 'missing'}` })));
    }
    count(m.op);
    // the core plans the fault (server-stub/core/fault-kinds/); this only renders the plan
    const plan = core.planHttp('wsus', m.op, t, clientOf(m, t), o.supUrl ?? null);
    if (plan !== null) {
      stats.faults++;
      if (!plan.processed) return renderFailure(req, res, plan.fail, m.op);
    }
    // the capacity model (server-stub/core/wsus-pool.ts), when no fault hit: the core decides, this renders
    let pooled: { plan: import('../core/index.js').HttpPlan; ticket: number } | null = null;
    if (plan === null && core.wsus.pools.size > 0) {
      // the most update metadata this operation's answer can carry (its service time grows with it)
      const updates =
        m.op === 'SyncUpdates' ? PAGE_SIZE : m.op === 'GetExtendedUpdateInfo' ? m.revisionIds.length : m.op === 'GetExtendedUpdateInfo2' ? m.updateIds.length : m.op === 'RefreshCache' ? m.globalIds.length : 0;
      pooled = core.planPool(o.supUrl ?? core.cfg.sups[0]!, clientOf(m, t), t, updates);
      if (pooled !== null && !pooled.plan.processed) {
        stats.poolRefusals++;
        return renderFailure(req, res, pooled.plan.fail, m.op);
      }
      const scale = o.poolWallPerSimulatedMs ?? 1;
      if (pooled !== null && pooled.plan.processed && scale !== 1) pooled = { ...pooled, plan: { ...pooled.plan, delayMs: Math.round(pooled.plan.delayMs * scale) } };
    }
    const base = `${(req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}`;
    const r = answer(m, t, base);
    const send = () => {
      // a pool recycle while the request waited or was in service fails it
      const failed = pooled === null ? null : core.ticketFailure(pooled.ticket);
      if (failed !== null && failed.fail !== null) {
        stats.poolRefusals++;
        return renderFailure(req, res, failed.fail, m.op);
      }
      if (typeof r === 'string') return sendSoap(res, FAULT_HTTP_STATUS, encodeFault(makeFault(r, { operation: m.op, message: faultMessage(r) })));
      if ('refusal' in r) {
        // parameters no server serves (too many ids, no locales): refused and counted, as a decoding refusal is
        ctx.refuse(`wusp-fault:${r.refusal}`);
        return sendSoap(res, FAULT_HTTP_STATUS, encodeFault(makeFault(r.refusal, { operation: m.op, message: r.message })));
      }
      sendSoap(res, 200, encodeResponse(r));
    };
    sendPlanned(req, res, plan ?? pooled?.plan ?? null, send, m.op);
  };
}

/** A fault with a message naming the parameter (real WSUS: "parameters.InstalledNonLeafUpdateIDs"). */
interface Refusal {
  readonly refusal: WuspErrorCode;
  readonly message: string;
}

const tooMany = (param: string, n: number): Refusal => ({ refusal: 'InvalidParameters', message: `${param}: ${n} updates, at most ${MAX_EXTENDED} (MaxExtendedUpdatesPerRequest)` });
const NO_LOCALES: Refusal = Object.freeze({ refusal: 'InvalidParameters', message: 'locales: required when infoTypes holds LocalizedProperties or Eula' });

function faultMessage(code: WuspErrorCode): string {
  switch (code) {
    case 'ConfigChanged':
      return 'the server configuration changed: call GetConfig again';
    case 'CookieExpired':
      return 'the cookie has expired: call GetCookie again';
    case 'InvalidCookie':
      return 'the cookie was not issued by this server';
    default:
      return code;
  }
}

function sendSoap(res: ServerResponse, status: number, xml: string): void {
  const body = Buffer.from(xml, 'utf8');
  res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'private' });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sha1Base64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** A fresh stats record. */
export function wsusStats(): WsusStats {
  return { operations: new Map(), scans: 0, faults: 0, syncRounds: 0, updatesSent: 0, poolRefusals: 0 };
}
