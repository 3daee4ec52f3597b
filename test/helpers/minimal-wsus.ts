// A minimal WSUS, written here and not with the project's codec: it answers
// only GetConfig (an Anonymous authorization plug-in), GetCookie,
// RegisterComputer, SyncUpdates, GetExtendedUpdateInfo and ReportEventBatch (and
// RefreshCache and GetFileLocations when a test asks),
// each in the shape WSUS on Windows Server 2025 answers it (public captures of
// a Windows 11 client: WCF `s:` envelopes with xmlns:xsi/xsd on s:Body for the
// client web service, the ASMX `soap:` envelope with an XML declaration for
// reporting, the WCF fault with detail/ErrorCode), and destroys the socket on
// anything else (StartCategoryScan, and GetAuthorizationCookie unless a test
// asks for a SimpleTargeting plug-in, included), as a
// server that does not implement an operation may. Requests are read with
// regular expressions over the raw body, so nothing of agent/wire is trusted.
//
// The sync is layered like the real one: a first page brings one non-leaf
// revision (a detectoid that every client evaluates installed); once the
// client lists it in InstalledNonLeafUpdateIDs the leaf updates come, 30 a
// page, minus those the client lists as cached. Cached ids the server does not
// know are answered as OutOfScopeRevisionIDs.
//
// It keeps what a test measures: per scan session (a GetCookie starts one, the
// cookies it and SyncUpdates hand out carry it; ReportEventBatch names the
// client), the SyncUpdates rounds and request bytes, and all request bytes.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Session {
  readonly id: number;
  client: string | null;
  syncRounds: number;
  syncRequestBytes: number;
  syncResponseBytes: number;
  requestBytes: number;
  /** software pages that came with cached ids (a delta) */
  cachedIdsOnFirstPage: number;
  /** leaf updates sent */
  updatesSent: number;
  softwarePages: number;
  ops: string[];
  /** the Expiration of the cookies it hands out (an hour after GetCookie) */
  readonly expires: string;
}

export interface MinimalWsusOptions {
  /** the updates it serves, to every client: catalogue GUIDs and revision numbers */
  readonly updates: readonly { readonly id: string; readonly revision: number }[];
  readonly maxExtended?: number;
  /** a SimpleTargeting plug-in at this ServiceUrl instead of Anonymous (it then answers GetAuthorizationCookie there only) */
  readonly simpleTargeting?: string;
  /** IsRegistrationRequired (default true) */
  readonly registrationRequired?: boolean;
  /** the ProtocolVersion property (default 3.2) */
  readonly protocolVersion?: string;
  /** a SOAP fault to answer a cookie-carrying call with instead (SyncUpdates: the cached ids it came with) */
  readonly fault?: (op: string, s: Session, cachedIds: number) => 'ServerChanged' | 'ConfigChanged' | 'InvalidCookie' | 'InternalServerError' | 'FileLocationChanged' | null;
  /** answer RefreshCache (spec 3.1.5.8: each identity it serves -> its revision id here); otherwise the socket is destroyed, as for any unknown operation */
  readonly refreshCache?: boolean;
  /**
   * How long its cookies last after the client's GetCookie currentTime (default an hour, as WSUS).
   * 0: expired at once, so that every scan runs the handshake and opens a session of its own
   * (tests that read one session as one scan).
   */
  readonly cookieLifetimeMs?: number;
  /** answer GetFileLocations (spec 3.1.5.10: a location for each digest asked about, and a NewCookie); otherwise the socket is destroyed */
  readonly fileLocations?: boolean;
  /** after answering a ServerChanged fault, number the updates' revisions this much higher (a server set up again) */
  readonly renumberOnServerChanged?: number;
}

export interface MinimalWsus {
  readonly url: string;
  readonly sessions: Session[];
  /** every request's operation, in the order they arrived */
  readonly calls: string[];
  /** the events of every ReportEventBatch, in order */
  readonly events: { readonly client: string | null; readonly eventId: number; readonly win32HResult: number; readonly strings: string[] }[];
  /** requests per operation (SOAPAction's last segment) */
  readonly operations: Map<string, number>;
  /** connections destroyed, per operation */
  readonly closed: Map<string, number>;
  /** GetCookie requests that carried an AuthorizationCookie (there must be none with an Anonymous plug-in) */
  authCookiesSeen: number;
  /** GetExtendedUpdateInfo requests with more revision ids than MaxExtendedUpdatesPerRequest */
  oversizedExtended: number;
  /** DnsNames registered */
  readonly registered: string[];
  /** paths GetAuthorizationCookie was asked at */
  readonly authPaths: string[];
  /** the identities (UpdateID|RevisionNumber, lower case) of each RefreshCache request */
  readonly refreshes: string[][];
  /** the digests of each GetFileLocations request */
  readonly fileLocationRequests: string[][];
  /** the digests of the FileLocations GetExtendedUpdateInfo answered, in order */
  readonly digestsSent: string[];
  /** the revision id of catalogue update k now */
  revisionOf(k: number): number;
  close(): Promise<void>;
  /** sessions of one client (by its GUID), in order */
  of(client: string): Session[];
}

const DETECTOID = 9000;
const REV_BASE = 20000;
const PAGE = 30;
const LAST_CHANGE = '2026-03-01T08:15:30.25Z';

const wcf = (op: string, inner: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
  (inner === '' ? `<${op}Response xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"/>` : `<${op}Response xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService">${inner}</${op}Response>`) +
  `</s:Body></s:Envelope>`;

const wcfFault = (code: string, op: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Fault occurred</faultstring><detail><ErrorCode>${code}</ErrorCode><Message/><ID>7f3c1a2b-4d5e-4f60-8a1b-2c3d4e5f6a7b</ID><Method>"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/${op}"</Method></detail></s:Fault></s:Body></s:Envelope>`;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function ints(body: string, element: string): number[] {
  const m = new RegExp(`<${element}>(.*?)</${element}>`, 's').exec(body);
  if (m === null) return [];
  return [...m[1]!.matchAll(/<int>(-?\d+)<\/int>/g)].map((x) => Number(x[1]));
}

function text(body: string, element: string): string | null {
  const m = new RegExp(`<${element}>([^<]*)</${element}>`).exec(body);
  return m === null ? null : m[1]!;
}

export async function minimalWsus(o: MinimalWsusOptions): Promise<MinimalWsus> {
  const sessions: Session[] = [];
  const operations = new Map<string, number>();
  const calls: string[] = [];
  const events: MinimalWsus['events'] = [];
  const closed = new Map<string, number>();
  const registered: string[] = [];
  const authPaths: string[] = [];
  const maxExtended = o.maxExtended ?? 25;
  const state = { authCookiesSeen: 0, oversizedExtended: 0, shift: 0 };
  const revOf = (k: number) => REV_BASE + state.shift + k;
  const refreshes: string[][] = [];
  const fileLocationRequests: string[][] = [];
  const digestsSent: string[] = [];
  const faultXml = (code: string, op: string): string => {
    if (code === 'ServerChanged' && o.renumberOnServerChanged !== undefined) state.shift += o.renumberOnServerChanged;
    return wcfFault(code, op);
  };

  const cookie = (s: Session, tag: string) =>
    `<${tag}><Expiration>${s.expires}</Expiration><EncryptedData>${Buffer.from(`minimal-wsus session ${s.id}`).toString('base64')}</EncryptedData></${tag}>`;
  const sessionOf = (body: string): Session | undefined => {
    const data = text(body, 'EncryptedData');
    if (data === null) return undefined;
    const m = /^minimal-wsus session (\d+)$/.exec(Buffer.from(data, 'base64').toString('utf8'));
    return m === null ? undefined : sessions[Number(m[1])];
  };

  const answer = (op: string, body: string, req: IncomingMessage): { status: number; xml: string } | null => {
    switch (op) {
      case 'GetConfig':
        return {
          status: 200,
          xml: wcf(
            'GetConfig',
            `<GetConfigResult><LastChange>${LAST_CHANGE}</LastChange><IsRegistrationRequired>${o.registrationRequired ?? true}</IsRegistrationRequired>` +
              (o.simpleTargeting === undefined
                ? `<AuthInfo><AuthPlugInInfo><PlugInID>Anonymous</PlugInID><ServiceUrl/><Parameter/></AuthPlugInInfo></AuthInfo>`
                : `<AuthInfo><AuthPlugInInfo><PlugInID>SimpleTargeting</PlugInID><ServiceUrl>${o.simpleTargeting}</ServiceUrl><Parameter/></AuthPlugInInfo></AuthInfo>`) +
              `<Properties><ConfigurationProperty><Name>MaxExtendedUpdatesPerRequest</Name><Value>${maxExtended}</Value></ConfigurationProperty>` +
              `<ConfigurationProperty><Name>PackageServerShare</Name><Value>\\\\minimal-wsus.test\\UpdateServicesPackages</Value></ConfigurationProperty>` +
              `<ConfigurationProperty><Name>ProtocolVersion</Name><Value>${o.protocolVersion ?? '3.2'}</Value></ConfigurationProperty>` +
              `<ConfigurationProperty><Name>IsInventoryRequired</Name><Value>0</Value></ConfigurationProperty>` +
              `<ConfigurationProperty><Name>ClientReportingLevel</Name><Value>2</Value></ConfigurationProperty></Properties></GetConfigResult>`,
          ),
        };
      case 'GetAuthorizationCookie': {
        const path = (req.url ?? '').split('?')[0]!;
        if (o.simpleTargeting === undefined || path !== '/' + o.simpleTargeting.replace(/^\//, '')) return null;
        authPaths.push(path);
        return {
          status: 200,
          xml: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><GetAuthorizationCookieResponse xmlns="http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"><GetAuthorizationCookieResult><PlugInId>SimpleTargeting</PlugInId><CookieData>${Buffer.from('minimal-wsus authorization').toString('base64')}</CookieData></GetAuthorizationCookieResult></GetAuthorizationCookieResponse></soap:Body></soap:Envelope>`,
        };
      }
      case 'GetCookie': {
        if (/<AuthorizationCookie>/.test(body)) state.authCookiesSeen++;
        // WSUS: the cookie expires an hour after it was issued (here: after the client's currentTime)
        const now = Date.parse(text(body, 'currentTime') ?? '');
        const expires = new Date((Number.isNaN(now) ? 0 : now) + (o.cookieLifetimeMs ?? 3_600_000)).toISOString();
        const s: Session = { id: sessions.length, client: null, syncRounds: 0, syncRequestBytes: 0, syncResponseBytes: 0, requestBytes: 0, cachedIdsOnFirstPage: 0, updatesSent: 0, softwarePages: 0, ops: [], expires };
        sessions.push(s);
        return { status: 200, xml: wcf('GetCookie', cookie(s, 'GetCookieResult')) };
      }
      default:
        break;
    }
    const s = sessionOf(body);
    if (s === undefined) return { status: 500, xml: wcfFault('InvalidCookie', op) };
    s.ops.push(op);
    s.requestBytes += Number(req.headers['content-length'] ?? body.length);
    switch (op) {
      case 'RegisterComputer':
        registered.push(text(body, 'DnsName') ?? '');
        return { status: 200, xml: wcf('RegisterComputer', '') };
      case 'SyncUpdates': {
        s.syncRounds++;
        s.syncRequestBytes += Buffer.byteLength(body);
        if (/<SkipSoftwareSync>true<\/SkipSoftwareSync>/.test(body)) {
          return { status: 200, xml: wcf('SyncUpdates', `<SyncUpdatesResult><NewUpdates/><Truncated>false</Truncated>${cookie(s, 'NewCookie')}<DriverSyncNotNeeded>true</DriverSyncNotNeeded></SyncUpdatesResult>`) };
        }
        const installed = ints(body, 'InstalledNonLeafUpdateIDs');
        const cached = ints(body, 'OtherCachedUpdateIDs');
        if (s.softwarePages === 0) s.cachedIdsOnFirstPage = installed.length + cached.length;
        s.softwarePages++;
        const fault = o.fault?.(op, s, installed.length + cached.length) ?? null;
        if (fault !== null) return { status: 500, xml: faultXml(fault, op) };
        const known = new Set([...installed, ...cached]);
        const valid = new Set<number>([DETECTOID, ...o.updates.map((_, k) => revOf(k))]);
        const outOfScope = [...known].filter((id) => !valid.has(id));
        let infos = '';
        let truncated = false;
        if (!known.has(DETECTOID)) {
          infos = updateInfo(DETECTOID, false, 'Evaluate', '3f0c1d9e-52a4-4b6f-9e21-7d8c6b5a4f30', 1, 'Detectoid');
        } else if (installed.includes(DETECTOID)) {
          const todo = o.updates.map((u, k) => ({ u, k })).filter(({ k }) => !known.has(revOf(k)));
          truncated = todo.length > PAGE;
          for (const { u, k } of todo.slice(0, PAGE)) infos += updateInfo(revOf(k), true, 'Install', u.id.toLowerCase(), u.revision, 'Software');
          s.updatesSent += Math.min(PAGE, todo.length);
        }
        const xml = wcf(
          'SyncUpdates',
          `<SyncUpdatesResult>${infos === '' ? '<NewUpdates/>' : `<NewUpdates>${infos}</NewUpdates>`}` +
            (outOfScope.length > 0 ? `<OutOfScopeRevisionIDs>${outOfScope.map((i) => `<int>${i}</int>`).join('')}</OutOfScopeRevisionIDs>` : '') +
            `<Truncated>${truncated}</Truncated>${cookie(s, 'NewCookie')}<DriverSyncNotNeeded>false</DriverSyncNotNeeded></SyncUpdatesResult>`,
        );
        s.syncResponseBytes += Buffer.byteLength(xml);
        return { status: 200, xml };
      }
      case 'GetExtendedUpdateInfo': {
        const fault = o.fault?.(op, s, 0) ?? null;
        if (fault !== null) return { status: 500, xml: faultXml(fault, op) };
        const ids = ints(body, 'revisionIDs');
        if (ids.length > maxExtended) {
          state.oversizedExtended++;
          return { status: 500, xml: wcfFault('InvalidParameters', op) };
        }
        let updates = '';
        let locations = '';
        for (const id of ids) {
          const digest = Buffer.from(`digest ${id}`.padEnd(20, '.').slice(0, 20)).toString('base64');
          const hex = Buffer.from(digest, 'base64').toString('hex').toUpperCase();
          updates += `<Update><ID>${id}</ID><Xml>${esc(`<ExtendedProperties DefaultPropertiesLanguage="en" MaxDownloadSize="1024" /><Files><File Digest="${digest}" FileName="update-${id}.cab" Size="1024" /></Files>`)}</Xml></Update>`;
          digestsSent.push(digest);
          locations += `<FileLocation><FileDigest>${digest}</FileDigest><Url>http://minimal-wsus.test:8530/Content/${hex.slice(-2)}/${hex}.cab</Url></FileLocation>`;
        }
        return { status: 200, xml: wcf('GetExtendedUpdateInfo', `<GetExtendedUpdateInfoResult><Updates>${updates}</Updates><FileLocations>${locations}</FileLocations></GetExtendedUpdateInfoResult>`) };
      }
      case 'GetFileLocations': {
        const asked = [...body.matchAll(/<base64Binary>([^<]*)<\/base64Binary>/g)].map((m) => m[1]!);
        fileLocationRequests.push(asked);
        const locations = asked
          .map((d) => {
            const hex = Buffer.from(d, 'base64').toString('hex').toUpperCase();
            return `<FileLocation><FileDigest>${d}</FileDigest><Url>http://minimal-wsus.test:8530/Content/${hex.slice(-2)}/${hex}.cab</Url></FileLocation>`;
          })
          .join('');
        return { status: 200, xml: wcf('GetFileLocations', `<GetFileLocationsResult><FileLocations>${locations}</FileLocations>${cookie(s, 'NewCookie')}</GetFileLocationsResult>`) };
      }
      case 'RefreshCache': {
        const asked = [...body.matchAll(/<UpdateIdentity><UpdateID>([^<]+)<\/UpdateID><RevisionNumber>(\d+)<\/RevisionNumber><\/UpdateIdentity>/g)].map((m) => `${m[1]!.toLowerCase()}|${m[2]}`);
        refreshes.push(asked);
        let results = '';
        for (const a of asked) {
          const k = o.updates.findIndex((u) => `${u.id.toLowerCase()}|${u.revision}` === a);
          if (k < 0) continue;
          const [id, rev] = a.split('|');
          results +=
            `<RefreshCacheResult><RevisionID>${revOf(k)}</RevisionID><GlobalID><UpdateID>${id}</UpdateID><RevisionNumber>${rev}</RevisionNumber></GlobalID><IsLeaf>true</IsLeaf>` +
            `<Deployment><ID>2</ID><Action>Install</Action><IsAssigned>true</IsAssigned><LastChangeTime>2026-03-01</LastChangeTime><AutoSelect>0</AutoSelect><AutoDownload>0</AutoDownload><SupersedenceBehavior>0</SupersedenceBehavior></Deployment></RefreshCacheResult>`;
        }
        return { status: 200, xml: wcf('RefreshCache', results === '' ? '<RefreshCacheResult/>' : `<RefreshCacheResult>${results}</RefreshCacheResult>`) };
      }
      case 'ReportEventBatch': {
        const fault = o.fault?.(op, s, 0) ?? null;
        if (fault !== null) return { status: 500, xml: faultXml(fault, op) };
        s.client = text(body, 'Sid');
        // each event of the batch as sent: EventID, Win32HResult, the ReplacementStrings
        for (const m of body.matchAll(/<ReportingEvent>([^]*?)<\/ReportingEvent>/g)) {
          const e = m[1]!;
          events.push({
            client: s.client,
            eventId: Number(/<EventID>(-?\d+)<\/EventID>/.exec(e)?.[1]),
            win32HResult: Number(/<Win32HResult>(-?\d+)<\/Win32HResult>/.exec(e)?.[1]),
            strings: [...e.matchAll(/<string>([^<]*)<\/string>/g)].map((x) => x[1]!),
          });
        }
        return {
          status: 200,
          xml: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><ReportEventBatchResponse xmlns="http://www.microsoft.com/SoftwareDistribution"><ReportEventBatchResult>true</ReportEventBatchResult></ReportEventBatchResponse></soap:Body></soap:Envelope>`,
        };
      }
      default:
        return null;
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const action = String(req.headers['soapaction'] ?? '').replace(/"/g, '');
      const op = action.slice(action.lastIndexOf('/') + 1);
      operations.set(op, (operations.get(op) ?? 0) + 1);
      calls.push(op);
      const a = req.method === 'POST' && (['GetConfig', 'GetAuthorizationCookie', 'GetCookie', 'RegisterComputer', 'SyncUpdates', 'GetExtendedUpdateInfo', 'ReportEventBatch'].includes(op) || (op === 'RefreshCache' && o.refreshCache === true) || (op === 'GetFileLocations' && o.fileLocations === true))
          ? answer(op, body, req)
          : null;
      if (a === null) {
        closed.set(op, (closed.get(op) ?? 0) + 1);
        req.socket.destroy();
        return;
      }
      const out = Buffer.from(a.xml, 'utf8');
      res.writeHead(a.status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': out.length, 'Cache-Control': 'private' });
      res.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const self: MinimalWsus = {
    url: `http://127.0.0.1:${port}`,
    sessions,
    operations,
    calls,
    events,
    closed,
    get authCookiesSeen() {
      return state.authCookiesSeen;
    },
    get oversizedExtended() {
      return state.oversizedExtended;
    },
    registered,
    authPaths,
    refreshes,
    fileLocationRequests,
    digestsSent,
    revisionOf: revOf,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    of: (client) => sessions.filter((s) => s.client === client.toLowerCase()),
  } as MinimalWsus;
  return self;
}

function updateInfo(id: number, leaf: boolean, action: string, guid: string, revision: number, type: string): string {
  return (
    `<UpdateInfo><ID>${id}</ID><Deployment><ID>${leaf ? 501 : 502}</ID><Action>${action}</Action><IsAssigned>true</IsAssigned><LastChangeTime>2026-03-01</LastChangeTime>` +
    `<AutoSelect>0</AutoSelect><AutoDownload>0</AutoDownload><SupersedenceBehavior>0</SupersedenceBehavior></Deployment><IsLeaf>${leaf}</IsLeaf>` +
    `<Xml>${esc(`<UpdateIdentity UpdateID="${guid}" RevisionNumber="${revision}" /><Properties UpdateType="${type}" />`)}</Xml></UpdateInfo>`
  );
}
