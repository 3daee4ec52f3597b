// The stub WSUS accepts every request the MS-WUSP WSDLs allow: each request is
// written here as a real client sends it (shapes of the Windows 11 25H2
// captures, CaddyGlow/wsus-rs docs/fixtures/wsus-m0-native, and the spec's
// section 4 examples; values our own), built by this test and not by the
// project's encoder. Every element is listed with its minOccurs from the WSDLs
// of MS-WUSP section 6 (6.1 SimpleAuth, 6.2 Client, 6.3 Reporting). Each
// minOccurs="0" element is dropped in turn and POSTed over HTTP: the answer is
// 200, or, where no server could serve the request without it (no cookie),
// the WUSP fault a server sends. Each minOccurs="1" element dropped in turn is
// refused: 400, SUCA_ERR_WIRE_FIELD and the element's path in the body, and
// the refusal counted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { StubCore } from '../server-stub/core/index.js';
import { serveRole, type RoleServer } from '../server-stub/http/server.js';
import { wsusHandler, wsusStats } from '../server-stub/http/wsus-handler.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { scenario } from './helpers/kit.js';

const NS_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS_CLIENT = 'http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService';
const NS_AUTH = 'http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService';
const NS_REPORTING = 'http://www.microsoft.com/SoftwareDistribution';
const PATH = {
  client: '/ClientWebService/client.asmx',
  auth: '/SimpleAuthWebService/SimpleAuth.asmx',
  reporting: '/ReportingWebService/ReportingWebService.asmx',
};

/**
 * minOccurs="1" in the WSDL, but a real server takes the request without it
 * (the ASMX Reporting service's XmlSerializer does not enforce minOccurs): the
 * test below checks each is answered.
 */
const TAKEN_THOUGH_REQUIRED: ReadonlySet<string> = new Set(['ReportEventBatch/eventBatch/ReportingEvent/ExtendedData/OSVersion']);

/** An element as the WSDL describes it: name, minOccurs, text or children. */
interface N {
  readonly name: string;
  readonly min: 0 | 1;
  readonly text?: string;
  readonly kids?: readonly N[];
}
const o = (name: string, content: string | readonly N[]): N => (typeof content === 'string' ? { name, min: 0, text: content } : { name, min: 0, kids: content });
const r = (name: string, content: string | readonly N[]): N => (typeof content === 'string' ? { name, min: 1, text: content } : { name, min: 1, kids: content });

/** The XML of `n`, without the element at `drop` (a path of names). */
function xml(n: N, path: string, drop: string | null): string {
  if (path === drop) return '';
  if (n.kids === undefined) return n.text === '' ? `<${n.name}/>` : `<${n.name}>${n.text}</${n.name}>`;
  const inner = n.kids.map((k) => xml(k, `${path}/${k.name}`, drop)).join('');
  return inner === '' ? `<${n.name}/>` : `<${n.name}>${inner}</${n.name}>`;
}

/** Every element path with its minOccurs, in document order (the operation element excluded). */
function paths(n: N, path: string, out: [string, 0 | 1][] = []): [string, 0 | 1][] {
  for (const k of n.kids ?? []) {
    out.push([`${path}/${k.name}`, k.min]);
    paths(k, `${path}/${k.name}`, out);
  }
  return out;
}

const envelope = (op: string, ns: string, inner: string): string =>
  `<s:Envelope xmlns:s="${NS_ENV}"><s:Body>${inner === '' ? `<${op} xmlns="${ns}"/>` : `<${op} xmlns="${ns}">${inner}</${op}>`}</s:Body></s:Envelope>`;

interface Req {
  readonly op: string;
  readonly ns: string;
  readonly path: string;
  readonly body: N;
}

function render(q: Req, drop: string | null): string {
  const inner = (q.body.kids ?? []).map((k) => xml(k, `${q.op}/${k.name}`, drop)).join('');
  return envelope(q.op, q.ns, inner);
}

// ---- the stub and a client session against it ----------------------------------------

const logger = pino({ level: 'silent' });
let server: RoleServer;
let clientId = '';
let lastChange = '';
let authCookieData = '';
let cookie = { expiration: '', data: '' };
/** a catalogue update's identity and file digest (base64 SHA-1), for the requests that name updates so */
let identity = { id: '', rev: '' };
let digest = '';

async function post(q: { op: string; ns: string; path: string }, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url + q.path, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${q.ns}/${q.op}"` },
    body,
  });
  return { status: res.status, text: await res.text() };
}

const pick = (text: string, name: string): string => {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
  if (m === null) throw new Error(`no <${name}> in ${text.slice(0, 300)}`);
  return m[1]!;
};

beforeAll(async () => {
  const sc = scenario({ clients: 4 });
  const core = new StubCore(sc.stub);
  identity = { id: core.catalogue.ids[0]!.toLowerCase(), rev: String(core.catalogue.revision[0]) };
  digest = Buffer.from(core.catalogue.sha1[0]!, 'hex').toString('base64');
  server = await serveRole('wsus', wsusHandler({ core, clock: () => sc.start }, wsusStats(), { requests: 0, bytes: 0, notFound: 0, badRange: 0 }), { logger });
  clientId = clientGuid(sc.seed, 1).toLowerCase();
  // the session a client opens, so the requests below carry what this server issued
  const config = await post({ op: 'GetConfig', ns: NS_CLIENT, path: PATH.client }, envelope('GetConfig', NS_CLIENT, '<protocolVersion>2.90</protocolVersion>'));
  lastChange = pick(config.text, 'LastChange');
  const auth = await post(
    { op: 'GetAuthorizationCookie', ns: NS_AUTH, path: PATH.auth },
    envelope('GetAuthorizationCookie', NS_AUTH, `<clientId>${clientId}</clientId><dnsName>client1.fleet.example</dnsName>`),
  );
  authCookieData = pick(auth.text, 'CookieData');
  const got = await post(
    { op: 'GetCookie', ns: NS_CLIENT, path: PATH.client },
    envelope(
      'GetCookie',
      NS_CLIENT,
      `<authCookies><AuthorizationCookie><PlugInId>SimpleTargeting</PlugInId><CookieData>${authCookieData}</CookieData></AuthorizationCookie></authCookies>` +
        `<lastChange>${lastChange}</lastChange><currentTime>2026-01-05T00:00:01Z</currentTime><protocolVersion>2.90</protocolVersion>`,
    ),
  );
  cookie = { expiration: pick(got.text, 'Expiration'), data: pick(got.text, 'EncryptedData') };
});
afterAll(async () => {
  await server?.close();
});

// ---- the requests, element by element, with the WSDL's minOccurs ------------------------

const cookieN = (): N => o('cookie', [r('Expiration', cookie.expiration), o('EncryptedData', cookie.data)]);

function requests(): Req[] {
  const client = (op: string, kids: N[]): Req => ({ op, ns: NS_CLIENT, path: PATH.client, body: r(op, kids) });
  return [
    client('GetConfig', [o('protocolVersion', '2.90')]),
    {
      op: 'GetAuthorizationCookie',
      ns: NS_AUTH,
      path: PATH.auth,
      // targetGroupName: WUA leaves it out without client-side targeting; the WSDL has it
      body: r('GetAuthorizationCookie', [o('clientId', clientId), o('targetGroupName', 'Ring 1'), o('dnsName', 'client1.fleet.example')]),
    },
    client('GetCookie', [
      o('authCookies', [o('AuthorizationCookie', [o('PlugInId', 'SimpleTargeting'), o('CookieData', authCookieData)])]),
      o('oldCookie', [r('Expiration', cookie.expiration), o('EncryptedData', cookie.data)]),
      r('lastChange', lastChange),
      r('currentTime', '2026-01-05T00:00:02Z'),
      o('protocolVersion', '2.90'),
    ]),
    client('RegisterComputer', [
      cookieN(),
      o('computerInfo', [
        o('DnsName', 'client1.fleet.example'),
        r('OSMajorVersion', '10'),
        r('OSMinorVersion', '0'),
        r('OSBuildNumber', '26200'),
        r('OSServicePackMajorNumber', '0'),
        r('OSServicePackMinorNumber', '0'),
        o('OSLocale', 'en-US'),
        o('ComputerManufacturer', 'Fleet Works'),
        o('ComputerModel', 'FW-1'),
        o('BiosVersion', '1.0'),
        o('BiosName', 'FW BIOS'),
        r('BiosReleaseDate', '2024-05-01T00:00:00Z'),
        o('ProcessorArchitecture', 'AMD64'),
        r('SuiteMask', '256'),
        r('OldProductType', '1'),
        r('NewProductType', '48'),
        r('SystemMetrics', '0'),
        r('ClientVersionMajorNumber', '1507'),
        r('ClientVersionMinorNumber', '2601'),
        r('ClientVersionBuildNumber', '30012'),
        r('ClientVersionQfeNumber', '0'),
        o('OSDescription', 'Windows 11 Pro'),
        o('OEM', 'Fleet Works'),
        o('DeviceType', 'FW-1'),
        o('FirmwareVersion', '1.0'),
        o('MobileOperator', 'Not Present'),
      ]),
    ]),
    client('StartCategoryScan', [
      o('requestedCategories', [o('CategoryRelationship', [r('IndexOfAndGroup', '0'), r('CategoryId', 'dd78b8a1-0b20-45c1-add6-4da72e9364cf')])]),
    ]),
    client('SyncUpdates', [
      cookieN(),
      o('parameters', [
        r('ExpressQuery', 'false'),
        o('InstalledNonLeafUpdateIDs', [o('int', '1001')]),
        o('OtherCachedUpdateIDs', [o('int', '1002')]),
        o('SystemSpec', [
          o('Device', [
            o('HardwareIDs', [o('string', 'PCI\\VEN_8086&amp;DEV_1234')]),
            o('CompatibleIDs', [o('string', 'PCI\\CC_0200')]),
            o('installedDriver', [
              o('MatchingID', 'PCI\\VEN_8086&amp;DEV_1234'),
              r('DriverVerDate', '2024-01-01T00:00:00Z'),
              r('DriverVerVersion', '2814749767106560'),
              o('Class', 'Net'),
              o('Manufacturer', 'Intel'),
              o('Provider', 'Intel'),
              o('Model', 'FW NIC'),
              o('MatchingComputerHWID', 'c0ffee00-1111-4222-8333-444455556666'),
              r('DriverRank', '16719872'),
            ]),
            o('DeviceFlags', '0'),
          ]),
        ]),
        o('CachedDriverIDs', [o('int', '1003')]),
        r('SkipSoftwareSync', 'false'),
        o('FilterCategoryIds', [o('CategoryIdentifier', [r('Id', 'dd78b8a1-0b20-45c1-add6-4da72e9364cf')])]),
        o('NeedTwoGroupOutOfScopeUpdates', 'true'),
        // captured, not in the spec's WSDL
        o('AlsoPerformRegularSync', 'false'),
        o('ComputerSpec', [o('HardwareIDs', [o('guid', 'c0ffee00-1111-4222-8333-444455556666')])]),
        o('FeatureScoreMatchingKey', 'fsmk'),
        // captured, not in the spec's WSDL
        o('ProductsParameters', [r('SyncCurrentVersionOnly', 'false'), o('DeviceAttributes', 'App=WU_OS;'), o('CallerAttributes', 'Interactive=0;'), o('Products', '')]),
      ]),
    ]),
    client('GetExtendedUpdateInfo', [
      cookieN(),
      o('revisionIDs', [o('int', '1000')]),
      o('infoTypes', [o('XmlUpdateFragmentType', 'Extended')]),
      o('locales', [o('string', 'en-US')]),
      // captured, not in the spec's WSDL
      o('deviceAttributes', 'App=WU_OS;'),
      o('GeoId', '244'),
      o('callerAttributes', 'Interactive=0;'),
    ]),
    // section 2.2.2.2.5 (and the section 4 example's element order)
    client('RefreshCache', [cookieN(), o('globalIDs', [o('UpdateIdentity', [r('UpdateID', identity.id), r('RevisionNumber', identity.rev)])])]),
    // section 2.2.2.2.7
    client('GetFileLocations', [cookieN(), o('fileDigests', [o('base64Binary', digest)])]),
    // section 2.2.2.2.10
    client('GetExtendedUpdateInfo2', [
      cookieN(),
      o('updateIDs', [o('UpdateIdentity', [r('UpdateID', identity.id), r('RevisionNumber', identity.rev)])]),
      o('infoTypes', [o('XmlUpdateFragmentType', 'Extended')]),
      o('locales', [o('string', 'en-US')]),
      o('callerAttributes', 'Interactive=0;'),
    ]),
    // section 2.2.2.2.9 (lower-case leading letters, as the WSDL writes them)
    client('SyncPrinterCatalog', [cookieN(), o('installedNonLeafUpdateIDs', [o('int', '1001')]), o('printerUpdateIDs', [o('int', '1002')])]),
    {
      op: 'ReportEventBatch',
      ns: NS_REPORTING,
      path: PATH.reporting,
      body: r('ReportEventBatch', [
        cookieN(),
        r('clientTime', '2026-01-05T00:00:03.123'),
        o('eventBatch', [
          o('ReportingEvent', [
            o('BasicData', [
              o('TargetID', [o('Sid', clientId)]),
              r('SequenceNumber', '0'),
              r('TimeAtTarget', '2026-01-05T00:00:03.100'),
              r('EventInstanceID', 'C0FFEE00-AAAA-4BBB-8CCC-DDDDEEEEFFFF'),
              r('NamespaceID', '1'),
              r('EventID', '147'),
              r('SourceID', '101'),
              o('UpdateID', [r('UpdateID', '00000000-0000-0000-0000-000000000000'), r('RevisionNumber', '0')]),
              r('Win32HResult', '0'),
              o('AppName', 'AutomaticUpdates'),
            ]),
            o('ExtendedData', [
              o('ReplacementStrings', [o('string', '0')]),
              o('MiscData', [o('string', 'Q=1')]),
              o('ComputerBrand', 'Fleet Works'),
              o('ComputerModel', 'FW-1'),
              o('BiosRevision', '1.0'),
              r('ProcessorArchitecture', 'Amd64Compatible'),
              r('OSVersion', [r('Major', '10'), r('Minor', '0'), r('Build', '26200'), r('Revision', '8037'), r('ServicePackMajor', '0'), r('ServicePackMinor', '0')]),
              r('OSLocaleID', '1033'),
              o('DeviceID', ''),
            ]),
            o('PrivateData', [o('ComputerDnsName', ''), o('UserAccountName', '')]),
          ]),
        ]),
      ]),
    },
  ];
}

/**
 * Elements the WSDL lets a client leave out but without which no server can
 * serve the request: what it answers instead (HTTP 500, a SOAP fault with
 * this WUSP ErrorCode). Every other minOccurs="0" element dropped gets 200.
 */
const FAULT_WHEN_DROPPED: Readonly<Record<string, string>> = {
  'GetAuthorizationCookie/clientId': 'InvalidParameters',
  'GetAuthorizationCookie/dnsName': 'InvalidParameters',
  'GetCookie/authCookies': 'InvalidAuthorizationCookie',
  'GetCookie/authCookies/AuthorizationCookie': 'InvalidAuthorizationCookie',
  'GetCookie/authCookies/AuthorizationCookie/CookieData': 'InvalidAuthorizationCookie',
  'RegisterComputer/cookie': 'InvalidCookie',
  'RegisterComputer/cookie/EncryptedData': 'InvalidCookie',
  'RegisterComputer/computerInfo': 'InvalidParameters',
  'SyncUpdates/cookie': 'InvalidCookie',
  'SyncUpdates/cookie/EncryptedData': 'InvalidCookie',
  'SyncUpdates/parameters': 'InvalidParameters',
  'GetExtendedUpdateInfo/cookie': 'InvalidCookie',
  'GetExtendedUpdateInfo/cookie/EncryptedData': 'InvalidCookie',
  'GetExtendedUpdateInfo/revisionIDs': 'InvalidParameters',
  'GetExtendedUpdateInfo/infoTypes': 'InvalidParameters',
  'RefreshCache/cookie': 'InvalidCookie',
  'RefreshCache/cookie/EncryptedData': 'InvalidCookie',
  'RefreshCache/globalIDs': 'InvalidParameters',
  'GetFileLocations/cookie': 'InvalidCookie',
  'GetFileLocations/cookie/EncryptedData': 'InvalidCookie',
  'GetFileLocations/fileDigests': 'InvalidParameters',
  'GetExtendedUpdateInfo2/cookie': 'InvalidCookie',
  'GetExtendedUpdateInfo2/cookie/EncryptedData': 'InvalidCookie',
  'GetExtendedUpdateInfo2/updateIDs': 'InvalidParameters',
  'GetExtendedUpdateInfo2/infoTypes': 'InvalidParameters',
  'SyncPrinterCatalog/cookie': 'InvalidCookie',
  'SyncPrinterCatalog/cookie/EncryptedData': 'InvalidCookie',
  'ReportEventBatch/cookie': 'InvalidCookie',
  'ReportEventBatch/cookie/EncryptedData': 'InvalidCookie',
  'ReportEventBatch/eventBatch/ReportingEvent/BasicData': 'InvalidParameters',
};

describe('stub WSUS: requests with each optional element left out', () => {
  it('the whole requests, every element present, get 200', async () => {
    for (const q of requests()) {
      const a = await post(q, render(q, null));
      expect(a.status, `${q.op}: ${a.text.slice(0, 300)}`).toBe(200);
      expect(a.text).toContain(`<${q.op}Response`);
    }
  });

  it('each minOccurs="0" element dropped in turn: 200, or the WUSP fault a server answers', async () => {
    let dropped = 0;
    for (const q of requests()) {
      for (const [p, min] of paths(q.body, q.op)) {
        if (min !== 0) continue;
        dropped++;
        const a = await post(q, render(q, p));
        const fault = FAULT_WHEN_DROPPED[p];
        if (fault === undefined) {
          expect(a.status, `${p} dropped: ${a.text.slice(0, 300)}`).toBe(200);
          expect(a.text).toContain(`<${q.op}Response`);
        } else {
          expect(a.status, `${p} dropped: ${a.text.slice(0, 300)}`).toBe(500);
          expect(a.text).toMatch(/<s:Fault>/);
          expect(a.text, p).toContain(`<ErrorCode>${fault}</ErrorCode>`);
        }
      }
    }
    expect(dropped).toBeGreaterThan(100); // every optional element of twelve requests
  });

  it('each minOccurs="1" element dropped in turn: 400 naming the element, counted as refused', async () => {
    for (const q of requests()) {
      for (const [p, min] of paths(q.body, q.op)) {
        if (min !== 1 || TAKEN_THOUGH_REQUIRED.has(p)) continue;
        // a required child of an optional element that is itself left out is not on the wire; this drops only the child
        const before = server.stats.refused.get('SUCA_ERR_WIRE_FIELD') ?? 0;
        const a = await post(q, render(q, p));
        expect(a.status, `${p} dropped: ${a.text.slice(0, 300)}`).toBe(400);
        // list items are named with their index in the error path: ReportingEvent[0]
        const named = p.replace(/\/(ReportingEvent|Device|CategoryIdentifier|CategoryRelationship|UpdateIdentity)(?=\/)/g, '/$1[0]');
        expect(a.text).toContain(`SUCA_ERR_WIRE_FIELD: ${named}: `);
        expect(server.stats.refused.get('SUCA_ERR_WIRE_FIELD')).toBe(before + 1);
      }
    }
  });

  it('ExtendedData without OSVersion is taken, as the ASMX Reporting service takes it (its XmlSerializer does not enforce minOccurs)', async () => {
    const q = requests().find((x) => x.op === 'ReportEventBatch')!;
    const a = await post(q, render(q, 'ReportEventBatch/eventBatch/ReportingEvent/ExtendedData/OSVersion'));
    expect(a.status, a.text.slice(0, 300)).toBe(200);
    expect(a.text).toContain('<ReportEventBatchResult>true</ReportEventBatchResult>');
  });

  it('any prefix bound to the service namespace, and xsi:nil on a nillable optional element', async () => {
    const q = requests().find((x) => x.op === 'SyncUpdates')!;
    const plain = render(q, null);
    // the operation element with a prefix instead of a default namespace
    const prefixed = plain
      .replace(`<SyncUpdates xmlns="${NS_CLIENT}">`, `<w:SyncUpdates xmlns:w="${NS_CLIENT}">`)
      .replace('</SyncUpdates>', '</w:SyncUpdates>')
      .replace(/<(\/?)(cookie|parameters)>/g, '<$1w:$2>');
    const a = await post(q, prefixed);
    expect(a.status, a.text.slice(0, 300)).toBe(200);
    // SOAP envelope under another prefix, xsi:nil on a list as the spec's example sends it
    const nil = plain
      .replace(/s:Envelope xmlns:s=/, 'soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soap=')
      .replace(/<(\/?)s:/g, '<$1soap:')
      .replace(/<CachedDriverIDs>.*?<\/CachedDriverIDs>/, '<CachedDriverIDs xsi:nil="1"/>');
    const b = await post(q, nil);
    expect(b.status, b.text.slice(0, 300)).toBe(200);
  });
});
