// The stub WSUS answers the MS-WUSP operations a real client calls outside the
// captured scan: RefreshCache (spec 3.1.5.8, after ServerChanged or
// InvalidCookie), GetFileLocations (3.1.5.10, after FileLocationChanged),
// GetExtendedUpdateInfo2 (2.2.2.2.10) and SyncPrinterCatalog (3.1.5.12). The
// requests are written here in the shape of the spec's section 4 examples
// (soap: prefix, soapenc:arrayType attributes, xsi/xsd declared), not by the
// project's encoder, and the answers are read with patterns, not its decoder.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { StubCore } from '../server-stub/core/index.js';
import { serveRole, type RoleServer } from '../server-stub/http/server.js';
import { wsusHandler, wsusStats } from '../server-stub/http/wsus-handler.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { scenario } from './helpers/kit.js';

const NS_CLIENT = 'http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService';
const PATH = '/ClientWebService/client.asmx';

/** A request as the spec's section 4 examples write them. */
const envelope = (inner: string): string =>
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><soap:Body>' +
  inner +
  '</soap:Body></soap:Envelope>';

const logger = pino({ level: 'silent' });
let server: RoleServer;
let core: StubCore;
let cookieXml = '';

async function post(op: string, inner: string): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url + PATH, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${NS_CLIENT}/${op}"` },
    body: envelope(inner),
  });
  return { status: res.status, text: await res.text() };
}

const pick = (text: string, name: string): string => {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
  if (m === null) throw new Error(`no <${name}> in ${text.slice(0, 300)}`);
  return m[1]!;
};
const all = (text: string, re: RegExp): string[][] => [...text.matchAll(re)].map((m) => m.slice(1));
const identityXml = (id: string, rev: number | string) => `<UpdateIdentity><UpdateID>${id}</UpdateID><RevisionNumber>${rev}</RevisionNumber></UpdateIdentity>`;

/** What a SyncUpdates page gave the client: revision id -> update GUID and revision number (from the escaped core fragment). */
let served: { revisionId: number; updateId: string; revision: number }[] = [];

beforeAll(async () => {
  const sc = scenario({ clients: 4 });
  core = new StubCore(sc.stub);
  server = await serveRole('wsus', wsusHandler({ core, clock: () => sc.start }, wsusStats(), { requests: 0, bytes: 0, notFound: 0, badRange: 0 }), { logger });
  const clientId = clientGuid(sc.seed, 1).toLowerCase();
  const config = await post('GetConfig', `<GetConfig xmlns="${NS_CLIENT}"><protocolVersion>2.90</protocolVersion></GetConfig>`);
  const auth = await fetch(server.url + '/SimpleAuthWebService/SimpleAuth.asmx', {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService/GetAuthorizationCookie"' },
    body: envelope(`<GetAuthorizationCookie xmlns="http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"><clientId>${clientId}</clientId><dnsName>c1.fleet.example</dnsName></GetAuthorizationCookie>`),
  }).then((r) => r.text());
  const got = await post(
    'GetCookie',
    `<GetCookie xmlns="${NS_CLIENT}"><authCookies><AuthorizationCookie><PlugInId>SimpleTargeting</PlugInId><CookieData>${pick(auth, 'CookieData')}</CookieData></AuthorizationCookie></authCookies>` +
      `<lastChange>${pick(config.text, 'LastChange')}</lastChange><currentTime>2026-01-05T00:00:01Z</currentTime><protocolVersion>2.90</protocolVersion></GetCookie>`,
  );
  cookieXml = `<cookie><Expiration>${pick(got.text, 'Expiration')}</Expiration><EncryptedData>${pick(got.text, 'EncryptedData')}</EncryptedData></cookie>`;
  const page = await post('SyncUpdates', `<SyncUpdates xmlns="${NS_CLIENT}">${cookieXml}<parameters><ExpressQuery>false</ExpressQuery><SkipSoftwareSync>false</SkipSoftwareSync></parameters></SyncUpdates>`);
  served = all(page.text, /<UpdateInfo><ID>(\d+)<\/ID>.*?UpdateIdentity UpdateID=(?:"|&quot;)([0-9a-f-]{36})(?:"|&quot;) RevisionNumber=(?:"|&quot;)(\d+)/g).map(([id, g, r]) => ({
    revisionId: Number(id),
    updateId: g!,
    revision: Number(r),
  }));
});
afterAll(async () => {
  await server?.close();
});

describe('stub WSUS: RefreshCache (spec 3.1.5.8)', () => {
  it('maps each identity it deploys to the client to its revision id, and leaves the others out', async () => {
    expect(served.length).toBeGreaterThan(1);
    const [a, b] = served;
    const unknown = 'c0ffee00-0000-4000-8000-000000000001';
    const a2 = await post(
      'RefreshCache',
      `<RefreshCache xmlns="${NS_CLIENT}">${cookieXml}<globalIDs xmlns:q1="${NS_CLIENT}" soapenc:arrayType="q1:UpdateIdentity[4]">` +
        identityXml(a!.updateId.toUpperCase(), a!.revision) +
        identityXml(b!.updateId, b!.revision + 1) + // a revision this server does not have
        identityXml(unknown, 1) +
        identityXml(b!.updateId, b!.revision) +
        '</globalIDs></RefreshCache>',
    );
    expect(a2.status, a2.text.slice(0, 300)).toBe(200);
    const results = all(a2.text, /<RefreshCacheResult><RevisionID>(\d+)<\/RevisionID><GlobalID><UpdateID>([^<]+)<\/UpdateID><RevisionNumber>(\d+)<\/RevisionNumber><\/GlobalID><IsLeaf>(true|false)<\/IsLeaf><Deployment><ID>\d+<\/ID><Action>(\w+)<\/Action>/g);
    // the list and its items share the element name (WSDL ArrayOfRefreshCacheResult)
    expect(a2.text).toMatch(/<RefreshCacheResponse xmlns="[^"]+"><RefreshCacheResult><RefreshCacheResult>/);
    expect(results).toEqual([
      [String(a!.revisionId), a!.updateId.toUpperCase(), String(a!.revision), 'true', 'Install'],
      [String(b!.revisionId), b!.updateId, String(b!.revision), 'true', 'Install'],
    ]);
  });

  it('without globalIDs: InvalidParameters, counted as refused; a cookie not of this server: InvalidCookie', async () => {
    const before = server.stats.refused.get('wusp-fault:InvalidParameters') ?? 0;
    const a = await post('RefreshCache', `<RefreshCache xmlns="${NS_CLIENT}">${cookieXml}</RefreshCache>`);
    expect(a.status).toBe(500);
    expect(pick(a.text, 'ErrorCode')).toBe('InvalidParameters');
    expect(server.stats.refused.get('wusp-fault:InvalidParameters')).toBe(before + 1);
    const forged = await post('RefreshCache', `<RefreshCache xmlns="${NS_CLIENT}"><cookie><Expiration>2026-01-05T01:00:00Z</Expiration><EncryptedData>bm90IG91cnM=</EncryptedData></cookie><globalIDs/></RefreshCache>`);
    expect(forged.status).toBe(500);
    expect(pick(forged.text, 'ErrorCode')).toBe('InvalidCookie');
  });
});

describe('stub WSUS: GetFileLocations (spec 3.1.5.10)', () => {
  it('a location for each digest of its content, none for an unknown digest, and a new cookie', async () => {
    const sha = core.catalogue.sha1[served[0]!.revisionId - 1000]!;
    const digest = Buffer.from(sha, 'hex').toString('base64');
    const zero = Buffer.alloc(20).toString('base64'); // the section 4 example's digest
    const a = await post(
      'GetFileLocations',
      `<GetFileLocations xmlns="${NS_CLIENT}">${cookieXml}<fileDigests soapenc:arrayType="xsd:base64Binary[2]"><base64Binary>${zero}</base64Binary><base64Binary>${digest}</base64Binary></fileDigests></GetFileLocations>`,
    );
    expect(a.status, a.text.slice(0, 300)).toBe(200);
    // the captured WSUS answer's shape: Result { FileLocations { FileLocation { FileDigest, Url } }, NewCookie }
    const locations = all(a.text, /<FileLocation><FileDigest>([^<]+)<\/FileDigest><Url>([^<]+)<\/Url><\/FileLocation>/g);
    expect(locations).toHaveLength(1);
    expect(locations[0]![0]).toBe(digest);
    expect(locations[0]![1]).toMatch(new RegExp(`/Content/${sha.slice(-2)}/${sha}\\.cab$`, 'i'));
    expect(a.text).toMatch(/<\/FileLocations><NewCookie><Expiration>[^<]+<\/Expiration><EncryptedData>[^<]+<\/EncryptedData><\/NewCookie><\/GetFileLocationsResult>/);
  });

  it('a digest that is not 20 bytes: InvalidParameters naming it', async () => {
    const short = Buffer.alloc(19).toString('base64');
    const a = await post('GetFileLocations', `<GetFileLocations xmlns="${NS_CLIENT}">${cookieXml}<fileDigests><base64Binary>${short}</base64Binary></fileDigests></GetFileLocations>`);
    expect(a.status).toBe(500);
    expect(pick(a.text, 'ErrorCode')).toBe('InvalidParameters');
    expect(pick(a.text, 'Message')).toContain('fileDigests/base64Binary[0]');
  });
});

describe('stub WSUS: GetExtendedUpdateInfo2 (spec 2.2.2.2.10)', () => {
  it('the fragments asked for, grouped by type, the file locations and the encryption details', async () => {
    const [a, b] = served;
    const r = await post(
      'GetExtendedUpdateInfo2',
      `<GetExtendedUpdateInfo2 xmlns="${NS_CLIENT}">${cookieXml}<updateIDs>${identityXml(a!.updateId, a!.revision)}${identityXml(b!.updateId, b!.revision)}${identityXml('c0ffee00-0000-4000-8000-000000000002', 1)}</updateIDs>` +
        '<infoTypes><XmlUpdateFragmentType>Extended</XmlUpdateFragmentType><XmlUpdateFragmentType>LocalizedProperties</XmlUpdateFragmentType></infoTypes>' +
        '<locales><string>en-US</string><string>en</string></locales><callerAttributes>Interactive=0;</callerAttributes></GetExtendedUpdateInfo2>',
    );
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const updates = all(r.text, /<Update><ID>(\d+)<\/ID><Xml>&lt;(\w+)/g);
    // WSUS 2025 sends every Extended fragment, then every LocalizedProperties one (captures)
    expect(updates).toEqual([
      [String(a!.revisionId), 'ExtendedProperties'],
      [String(b!.revisionId), 'ExtendedProperties'],
      [String(a!.revisionId), 'LocalizedProperties'],
      [String(b!.revisionId), 'LocalizedProperties'],
    ]);
    expect(all(r.text, /<FileLocation><FileDigest>[^<]+<\/FileDigest><Url>[^<]+<\/Url><\/FileLocation>/g)).toHaveLength(2);
    expect(all(r.text, /<UpdateEncryptionDetail><UpdateIdentity><UpdateID>([^<]+)<\/UpdateID><RevisionNumber>\d+<\/RevisionNumber><\/UpdateIdentity><HasEncryptedFiles>false<\/HasEncryptedFiles>/g).map(([g]) => g)).toEqual([a!.updateId, b!.updateId]);
    // the WSDL's order: Updates, FileLocations, (FileDecryptionData, FileDecryptionData2), UpdateEncryptionDetails
    expect(r.text.indexOf('<Updates>')).toBeLessThan(r.text.indexOf('<FileLocations>'));
    expect(r.text.indexOf('<FileLocations>')).toBeLessThan(r.text.indexOf('<UpdateEncryptionDetails>'));
  });

  it('LocalizedProperties without locales, or more than MaxExtendedUpdatesPerRequest updates: InvalidParameters naming the parameter', async () => {
    const [a] = served;
    const noLocales = await post(
      'GetExtendedUpdateInfo2',
      `<GetExtendedUpdateInfo2 xmlns="${NS_CLIENT}">${cookieXml}<updateIDs>${identityXml(a!.updateId, a!.revision)}</updateIDs><infoTypes><XmlUpdateFragmentType>LocalizedProperties</XmlUpdateFragmentType></infoTypes></GetExtendedUpdateInfo2>`,
    );
    expect(noLocales.status).toBe(500);
    expect(pick(noLocales.text, 'ErrorCode')).toBe('InvalidParameters');
    expect(pick(noLocales.text, 'Message')).toContain('locales');
    const refusedBefore = server.stats.refused.get('wusp-fault:InvalidParameters') ?? 0;
    const many = Array.from({ length: 51 }, () => identityXml(a!.updateId, a!.revision)).join('');
    const tooMany = await post('GetExtendedUpdateInfo2', `<GetExtendedUpdateInfo2 xmlns="${NS_CLIENT}">${cookieXml}<updateIDs>${many}</updateIDs><infoTypes><XmlUpdateFragmentType>Extended</XmlUpdateFragmentType></infoTypes></GetExtendedUpdateInfo2>`);
    expect(tooMany.status).toBe(500);
    expect(pick(tooMany.text, 'Message')).toContain('updateIDs: 51 updates, at most 50');
    expect(server.stats.refused.get('wusp-fault:InvalidParameters')).toBe(refusedBefore + 1);
  });

  it('GetExtendedUpdateInfo keeps to the same rules: LocalizedProperties needs locales', async () => {
    const r = await post(
      'GetExtendedUpdateInfo',
      `<GetExtendedUpdateInfo xmlns="${NS_CLIENT}">${cookieXml}<revisionIDs><int>${served[0]!.revisionId}</int></revisionIDs><infoTypes><XmlUpdateFragmentType>LocalizedProperties</XmlUpdateFragmentType></infoTypes></GetExtendedUpdateInfo>`,
    );
    expect(r.status).toBe(500);
    expect(pick(r.text, 'Message')).toContain('locales');
  });
});

describe('stub WSUS: SyncPrinterCatalog (spec 3.1.5.12)', () => {
  it('no printer drivers: nothing new, the cached printer revisions out of scope, a new cookie', async () => {
    const r = await post('SyncPrinterCatalog', `<SyncPrinterCatalog xmlns="${NS_CLIENT}">${cookieXml}<installedNonLeafUpdateIDs><int>5</int></installedNonLeafUpdateIDs><printerUpdateIDs><int>77</int></printerUpdateIDs></SyncPrinterCatalog>`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.text).toMatch(/<SyncPrinterCatalogResult><OutOfScopeRevisionIDs><int>77<\/int><\/OutOfScopeRevisionIDs><Truncated>false<\/Truncated><NewCookie>/);
  });
});

describe('stub WSUS: operations MS-WUSP does not define', () => {
  it('GetConfig2 is refused with 400 and counted', async () => {
    const before = server.stats.refused.get('SUCA_ERR_WIRE_OPERATION') ?? 0;
    const r = await post('GetConfig2', `<GetConfig2 xmlns="${NS_CLIENT}"><protocolVersion>2.90</protocolVersion></GetConfig2>`);
    expect(r.status).toBe(400);
    expect(r.text).toContain('SUCA_ERR_WIRE_OPERATION');
    expect(server.stats.refused.get('SUCA_ERR_WIRE_OPERATION')).toBe(before + 1);
  });
});
