// The stub MP over HTTP, spoken to in the real client's shape with requests
// built HERE from the documented byte layout (wire-protocols.md "MP protocol"
// and the public tools that talk to real MPs), not with the project's codec:
// - framing: multipart/mixed, boundary aAbBcCdDv1234567890VxXyYzZ; part 1
//   text/plain; charset=UTF-16, BOM + UTF-16LE <Msg>; part 2
//   application/octet-stream, zlib(UTF-16LE(body) + 00 00);
// - signatures: RSA PKCS#1 v1.5 SHA-256, bytes reversed, upper-case hex;
// - registration: an X.509 certificate (made by this file's own DER writer)
//   in Certificates/Signing and /Encryption, SignatureValue over UTF-16LE of
//   <Data>, and NO clientauth hook;
// - RequestAssignments with the clientauth hook (PublicKey a PUBLICKEYBLOB,
//   or the certificate), with header elements and properties the stub does
//   not know;
// - the policy GET with ClientToken / ClientTokenSignature.
// Tampered signatures get 403 and are counted (GET /health of the MP).

import { afterAll, describe, expect, it } from 'vitest';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import zlib from 'node:zlib';
import { pino } from 'pino';
import { Agent } from 'undici';
import { startStubServers } from '../server-stub/http/index.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { DAY, scenario } from './helpers/kit.js';

// ---- the test's own encoder ------------------------------------------------------------

const BOUNDARY = 'aAbBcCdDv1234567890VxXyYzZ';
const CONTENT_TYPE = `multipart/mixed; boundary="${BOUNDARY}"`;
const SHA256_RSA = '1.2.840.113549.1.1.11';

const utf16 = (s: string): Buffer => Buffer.from(s, 'utf16le');
const reversedSig = (key: KeyObject, data: Buffer): string => Buffer.from(sign('sha256', data, key)).reverse().toString('hex').toUpperCase();
const signz = (key: KeyObject, s: string): string => reversedSig(key, Buffer.concat([utf16(s), Buffer.from([0, 0])]));

/** CryptoAPI PUBLICKEYBLOB: 06 02 0000 0000A400, 'RSA1', bit length, exponent, modulus little-endian. */
function publicKeyBlobHex(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  let n = Buffer.from(jwk.n!, 'base64url');
  while (n[0] === 0) n = n.subarray(1);
  const head = Buffer.alloc(20);
  Buffer.from([0x06, 0x02, 0x00, 0x00, 0x00, 0xa4, 0x00, 0x00]).copy(head);
  head.write('RSA1', 8, 'latin1');
  head.writeUInt32LE(n.length * 8, 12);
  head.writeUInt32LE(Buffer.from(jwk.e!, 'base64url').readUIntBE(0, Buffer.from(jwk.e!, 'base64url').length), 16);
  return Buffer.concat([head, Buffer.from(n).reverse()]).toString('hex').toUpperCase();
}

/** A minimal self-signed v1 certificate (no extensions: the stub must accept any well-formed RSA certificate). */
function certificateHex(key: KeyObject): string {
  const der = (tag: number, ...parts: Buffer[]): Buffer => {
    const body = Buffer.concat(parts);
    const len = body.length < 128 ? Buffer.from([body.length]) : body.length < 256 ? Buffer.from([0x81, body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 255]);
    return Buffer.concat([Buffer.from([tag]), len, body]);
  };
  const algo = der(0x30, Buffer.from('06092a864886f70d01010b0500', 'hex')); // sha256WithRSAEncryption, NULL
  const name = der(0x30, der(0x31, der(0x30, Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from('test client', 'utf8')))));
  const validity = der(0x30, der(0x17, Buffer.from('250101000000Z', 'ascii')), der(0x17, Buffer.from('350101000000Z', 'ascii')));
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const tbs = der(0x30, der(0x02, Buffer.from([0x01, 0x23])), algo, name, validity, name, spki);
  return der(0x30, tbs, algo, der(0x03, Buffer.from([0]), sign('sha256', tbs, key))).toString('hex').toUpperCase();
}

interface Hook { readonly publicKey: string; readonly clientIdSignature: string; readonly payloadSignature: string }

function header(o: { endpoint: string; bodyLength: number; sourceId?: string; hook?: Hook; extra?: string }): string {
  const hook2 = o.hook === undefined ? '' :
    '<Hook2 Name="clientauth"><Property Name="AuthSenderMachine">WKS-7</Property>' +
    `<Property Name="PublicKey">${o.hook.publicKey}</Property><Property Name="ClientIDSignature">${o.hook.clientIdSignature}</Property>` +
    `<Property Name="PayloadSignature">${o.hook.payloadSignature}</Property><Property Name="ClientCapabilities">NonSSL</Property>` +
    `<Property Name="HashAlgorithm">${SHA256_RSA}</Property></Hook2>`;
  return (
    `<Msg ReplyCompression="zlib" SchemaVersion="1.1"><Body Type="ByteRange" Length="${o.bodyLength}" Offset="0" />` +
    `<CorrelationID>{00000000-0000-0000-0000-000000000000}</CorrelationID><Hooks>${hook2}<Hook3 Name="zlib-compress" /></Hooks>` +
    `<ID>{5DD100CD-DF1D-45F5-BA17-A327F43465F8}</ID><Payload Type="inline" /><Priority>0</Priority><Protocol>http</Protocol>` +
    `<ReplyMode>Sync</ReplyMode><ReplyTo>direct:WKS-7:SccmMessaging</ReplyTo><SentTime>2026-01-05T00:00:00Z</SentTime>` +
    (o.sourceId === undefined ? '' : `<SourceID>${o.sourceId}</SourceID>`) +
    `<SourceHost>WKS-7</SourceHost><TargetAddress>mp:${o.endpoint}</TargetAddress><TargetEndpoint>${o.endpoint}</TargetEndpoint>` +
    `<TargetHost>mp</TargetHost><Timeout>60000</Timeout>${o.extra ?? ''}</Msg>`
  );
}

function frame(headerXml: string, compressed: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\ncontent-type: text/plain; charset=UTF-16\r\n\r\n`, 'latin1'),
    Buffer.from([0xff, 0xfe]), utf16(headerXml),
    Buffer.from(`\r\n--${BOUNDARY}\r\ncontent-type: application/octet-stream\r\n\r\n`, 'latin1'),
    compressed,
    Buffer.from(`\r\n--${BOUNDARY}--`, 'latin1'),
  ]);
}

/** body -> zlib(UTF-16LE body + NUL) and the Body Length (bytes before compression, NUL included). */
function pack(body: string): { compressed: Buffer; length: number } {
  const raw = Buffer.concat([utf16(body), Buffer.from([0, 0])]);
  return { compressed: zlib.deflateSync(raw), length: raw.length };
}

/** The reply's part 2, inflated and read as UTF-16LE up to the NUL. */
function replyBody(payload: Buffer): string {
  const marker = Buffer.from('content-type: application/octet-stream\r\n\r\n', 'latin1');
  const at = payload.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  const end = payload.lastIndexOf(Buffer.from(`\r\n--${BOUNDARY}`, 'latin1'));
  const text = zlib.inflateSync(payload.subarray(at + marker.length, end)).toString('utf16le');
  return text.replace(/\0[^]*$/, '');
}

// ---- the stub MP --------------------------------------------------------------------------

// the deployment's content reaches the DPs after NOW (content location: no DP for its updates yet)
const sc = scenario({ clients: 4, deployments: [{ name: 'Patch Tuesday', updates: { newest: 3 }, created: '0', available: '1d', deadline: '3d', contentDistributed: '2d1h' }] });
const NOW = sc.start + 2 * DAY;
const servers = await startStubServers({ config: sc.stub, logger: pino({ level: 'silent' }), clock: () => NOW, verifySignatures: true });
afterAll(() => servers.close());
const agent = new Agent();
afterAll(() => agent.close());

const CLIENT_ID = `GUID:${clientGuid(sc.seed, 2)}`;
const { privateKey: KEY } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
const { privateKey: OTHER } = generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 65537 });
const CERT = certificateHex(KEY);

async function post(payload: Buffer): Promise<{ status: number; body: Buffer }> {
  const r = await agent.request({ origin: servers.urls.mp, path: '/ccm_system/request', method: 'CCM_POST', headers: { 'Content-Type': CONTENT_TYPE, 'User-Agent': 'ccmhttp' }, body: payload });
  return { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
}

async function refusedSignatures(): Promise<number> {
  const r = await agent.request({ origin: servers.urls.mp, path: '/health', method: 'GET' });
  const h = (await r.body.json()) as { refused: Record<string, number> };
  return h.refused.SUCA_ERR_WIRE_SIGNATURE ?? 0;
}

function registration(tamper = false, id = CLIENT_ID): Buffer {
  const data =
    `<Data HashAlgorithm="${SHA256_RSA}" SMSID="${id}" RequestType="Registration" TimeStamp="2026-01-05T00:00:00Z">` +
    '<AgentInformation AgentIdentity="CCMSetup.exe" AgentVersion="5.00.9132.1000" AgentType="0" />' +
    `<Certificates><Encryption Encoding="HexBinary" KeyType="1">${CERT}</Encryption><Signing Encoding="HexBinary" KeyType="1">${CERT}</Signing></Certificates>` +
    '<DiscoveryProperties><Property Name="Netbios Name" Value="WKS-7" /><Property Name="FQ Name" Value="wks-7.contoso.test" />' +
    '<Property Name="Locale ID" Value="1033" /><Property Name="InternetFlag" Value="0" /></DiscoveryProperties></Data>';
  let sig = reversedSig(KEY, utf16(data));
  if (tamper) sig = (sig[0] === '0' ? '1' : '0') + sig.slice(1);
  const p = pack(`<ClientRegistrationRequest>${data}<Signature><SignatureValue>${sig}</SignatureValue></Signature></ClientRegistrationRequest>`);
  return frame(header({ endpoint: 'MP_ClientRegistration', bodyLength: p.length }), p.compressed);
}

function requestAssignments(o: { publicKey: string; signer?: KeyObject; tamper?: boolean; extra?: string }): Buffer {
  const body =
    '<RequestAssignments SchemaVersion="1.00" ACK="false" RequestType="Always"><Identification><Machine>' +
    `<ClientID>${CLIENT_ID}</ClientID><FQDN>wks-7.contoso.test</FQDN><NetBIOSName>WKS-7</NetBIOSName><SID /></Machine><User /></Identification>` +
    '<PolicySource>SMS:SUC</PolicySource><Resource ResourceType="Machine" /><ServerCookie /></RequestAssignments>';
  const p = pack(body);
  const signer = o.signer ?? KEY;
  let payloadSignature = reversedSig(signer, p.compressed);
  if (o.tamper === true) payloadSignature = payloadSignature.slice(0, -1) + (payloadSignature.endsWith('0') ? '1' : '0');
  const hook = { publicKey: o.publicKey, clientIdSignature: signz(signer, CLIENT_ID), payloadSignature };
  return frame(header({ endpoint: 'MP_PolicyManager', bodyLength: p.length, sourceId: CLIENT_ID, hook, ...(o.extra !== undefined ? { extra: o.extra } : {}) }), p.compressed);
}

/** Any endpoint's body, hooked and signed with the registered key as the real client sends it. */
function hooked(endpoint: string, body: string, id = CLIENT_ID): Buffer {
  const p = pack(body);
  const hook = { publicKey: publicKeyBlobHex(KEY), clientIdSignature: signz(KEY, id), payloadSignature: reversedSig(KEY, p.compressed) };
  return frame(header({ endpoint, bodyLength: p.length, sourceId: id, hook }), p.compressed);
}

async function policyGet(path: string, token: string, signature: string): Promise<{ status: number; text: string }> {
  const r = await agent.request({ origin: servers.urls.mp, path, method: 'GET', headers: { 'User-Agent': 'ccmhttp', ClientToken: token, ClientTokenSignature: signature } });
  const b = Buffer.from(await r.body.arrayBuffer());
  const text = b[0] === 0xff && b[1] === 0xfe ? b.subarray(2).toString('utf16le') : b.toString('utf8');
  return { status: r.statusCode, text };
}

/** A state message as the real client writes it in a Report. */
const stateMessage = (serial: number, type: number, id: string, idType: number, state: number) =>
  `<StateMessage MessageTime="20260107092042.000000+000" SerialNumber="${serial}"><Topic ID="${id}" Type="${type}" IDType="${idType}" User="" UserSID=""/>` +
  `<State ID="${state}" Criticality="0"/><UserParameters Flags="0" Count="0"/></StateMessage>`;

/** A state report (MP_RelayEndpoint body) of a client, with these messages. */
const stateReport = (clientId: string, netbios: string, messages: string) =>
  '<Report><ReportHeader><Identification><Machine><ClientInstalled>1</ClientInstalled><ClientType>1</ClientType>' +
  `<ClientID>${clientId}</ClientID><ClientVersion>5.00.9132.1000</ClientVersion><NetBIOSName>${netbios}</NetBIOSName><CodePage>437</CodePage>` +
  '<SystemDefaultLCID>1033</SystemDefaultLCID><Priority>5</Priority></Machine></Identification><ReportDetails><ReportContent>State Message Data</ReportContent>' +
  '<ReportType>Full</ReportType><Date>20260107092500.000000+000</Date><Version>1.0</Version><Format>1.0</Format></ReportDetails></ReportHeader><ReportBody>' +
  messages +
  '</ReportBody></Report>';

// ---- the conversation -------------------------------------------------------------------------

describe('the stub MP accepts what the real client sends and refuses tampered signatures', () => {
  it('registration with an X.509 certificate and no clientauth hook: accepted; a tampered SignatureValue: 403 + counter', async () => {
    const before = await refusedSignatures();
    const bad = await post(registration(true));
    expect(bad.status).toBe(403);
    expect(bad.body.toString('utf8')).toContain('SUCA_ERR_WIRE_SIGNATURE');
    expect(await refusedSignatures()).toBe(before + 1);

    const ok = await post(registration());
    expect(ok.status).toBe(200);
    const reply = replyBody(ok.body);
    expect(reply).toMatch(/^<ClientRegistrationResponse /);
    expect(reply).toContain(`SMSID="${CLIENT_ID}"`);
    expect(reply).toContain('Status="0"');
  });

  let locations: string[] = [];

  it('RequestAssignments with the hook (PUBLICKEYBLOB, then the certificate, unknown header elements): ReplyAssignments with PolicyAssignment/Policy/PolicyLocation', async () => {
    const r = await post(requestAssignments({ publicKey: publicKeyBlobHex(KEY) }));
    expect(r.status).toBe(200);
    const reply = replyBody(r.body);
    expect(reply).toMatch(/^<ReplyAssignments /);
    expect(reply).not.toContain('SucaSlot');
    const assignments = [...reply.matchAll(/<PolicyAssignment [^>]*>[^]*?<\/PolicyAssignment>/g)].map((m) => m[0]);
    expect(assignments.length).toBe(2); // the client settings and the deployment
    locations = assignments.map((a) => {
      expect(a).toMatch(/<Policy PolicyID="[^"]+" PolicyVersion="\d+\.\d\d" PolicyType="Machine"/);
      return /<PolicyLocation><!\[CDATA\[(http:\/\/<mp>\/SMS_MP\/\.sms_pol\?[^\]]+)\]\]><\/PolicyLocation>/.exec(a)![1]!;
    });

    const asCert = await post(requestAssignments({ publicKey: CERT, extra: '<ClientCapability>SSLState=0</ClientCapability><Unknown x="1"><Property Name="Foo">bar</Property></Unknown>' }));
    expect(asCert.status).toBe(200);
    expect(replyBody(asCert.body)).toMatch(/^<ReplyAssignments /);
  });

  it('a hooked message with a tampered PayloadSignature, or signed by a key other than the registered one: 403 + counter', async () => {
    const before = await refusedSignatures();
    expect((await post(requestAssignments({ publicKey: publicKeyBlobHex(KEY), tamper: true }))).status).toBe(403);
    // self-consistent, but not the key the client registered
    expect((await post(requestAssignments({ publicKey: publicKeyBlobHex(OTHER), signer: OTHER }))).status).toBe(403);
    expect(await refusedSignatures()).toBe(before + 2);
  });

  it('policy GET with ClientToken and ClientTokenSignature: the body in the real instance form; a wrong token signature: 403 + counter', async () => {
    expect(locations.length).toBe(2);
    const token = `${CLIENT_ID};2026-01-05T00:00:00Z;2`;
    const sig = signz(KEY, token);
    const texts: string[] = [];
    for (const loc of locations) {
      const path = loc.replace('http://<mp>', '');
      const r = await policyGet(path, token, sig);
      expect(r.status).toBe(200);
      expect(r.text).toMatch(/<PolicyAction PolicyActionType="WMI-XML"><instance class="CCM_/);
      texts.push(r.text);
    }
    const all = texts.join('');
    expect(all).toContain('<instance class="CCM_SoftwareUpdatesClientConfig">');
    expect(all).toContain('<property name="ComponentName" type="8"><value>SmsSoftwareUpdate</value></property>');
    expect(all).toContain('<instance class="CCM_UpdateCIAssignment">');
    expect(all).toMatch(/<property name="AssignedCIs" type="8200">(<value>&lt;CI&gt;[^<]*SUM_[0-9a-f-]{36}[^<]*<\/value>){3}<\/property>/);
    expect(all).toMatch(/<property name="EnforcementDeadline" type="101"><value>\d{14}\.000000\+000<\/value><\/property>/);

    const before = await refusedSignatures();
    const path = locations[0]!.replace('http://<mp>', '');
    expect((await policyGet(path, token, signz(OTHER, token))).status).toBe(403);
    expect((await policyGet(path, token.replace(';2', ';3'), sig)).status).toBe(403);
    expect(await refusedSignatures()).toBe(before + 2);
  });
  it('location requests (WSUS, content) plain, after an XML declaration, after a comment and white space: each answered by its own reply', async () => {
    const where = '<ClientLocationInfo OnInternet="0"><ADSite Name="Default-First-Site-Name"/><Forest Name="contoso.test"/><Domain Name="contoso.test"/>' +
      '<IPAddresses><IPAddress SubnetAddress="10.0.0.0" Address="10.0.0.7"/></IPAddresses></ClientLocationInfo>';
    const wsus = `<WSUSLocationRequest SchemaVersion="1.00"><Content ID="${servers.core.catalogue.updateSourceId}" Version="1"/><AssignedSite SiteCode="P01"/>${where}</WSUSLocationRequest>`;
    const content = '<ContentLocationRequest SchemaVersion="1.00" ExcludeFileList=""><Package ID="UID:Content_0b3c9c2a-0000-4000-8000-000000000001" Version="1"/>' +
      `<AssignedSite SiteCode="P01"/>${where.replace('OnInternet="0"', 'LocationType="SMSUpdate" UseProtocols="HTTP" AllowCaching="0" AllowWUMU="0"')}</ContentLocationRequest>`;
    for (const prefix of ['', '<?xml version="1.0" encoding="UTF-16"?>', ' \r\n<!-- written by hand -->\n']) {
      const a = await post(hooked('MP_LocationManager', prefix + wsus));
      expect(a.status, JSON.stringify(prefix)).toBe(200);
      expect(replyBody(a.body)).toMatch(/^<WSUSLocationReply[ >]/);
      expect(replyBody(a.body)).toContain(`<LocationRecord WSUSURL="${servers.urls.wsus}`);
      const b = await post(hooked('MP_LocationManager', prefix + content));
      expect(b.status, JSON.stringify(prefix)).toBe(200);
      expect(replyBody(b.body)).toMatch(/^<ContentLocationReply[ >]/);
    }
  });

  it('content location for an update whose content is not on the DPs yet: a reply with no LocationRecord (as a real MP answers), counted; other content: the DPs', async () => {
    const where = '<ClientLocationInfo LocationType="SMSUpdate" UseProtocols="HTTP" AllowCaching="0" AllowWUMU="0"><ADSite Name="Default-First-Site-Name"/>' +
      '<Forest Name="contoso.test"/><Domain Name="contoso.test"/><IPAddresses><IPAddress SubnetAddress="10.0.0.0" Address="10.0.0.7"/></IPAddresses></ClientLocationInfo>';
    // the DP content id of an update is its update id (server-stub/http/content.ts), in the Package ID's "UID:Content_<guid>"
    const request = (u: number) => `<ContentLocationRequest SchemaVersion="1.00" ExcludeFileList=""><Package ID="UID:Content_${servers.core.catalogue.ids[u]}" Version="1"/>` +
      `<AssignedSite SiteCode="P01"/>${where}</ContentLocationRequest>`;
    const notFound = () => servers.core.mp.counters.contentLocationNotFound;
    const before = notFound();
    const deployed = sc.stub.deployments[0]!.updates[0]!;
    const a = replyBody((await post(hooked('MP_LocationManager', request(deployed)))).body);
    expect(a).toMatch(/^<ContentLocationReply[ >]/);
    expect(a).toContain('<LocationRecords/>');
    expect(a).not.toContain('<LocationRecord>');
    expect(notFound()).toBe(before + 1);
    const other = servers.core.catalogue.ids.findIndex((_, u) => !sc.stub.deployments[0]!.updates.includes(u));
    const b = replyBody((await post(hooked('MP_LocationManager', request(other)))).body);
    expect(b).toContain('<LocationRecord>');
    expect(b).toContain(`Content_${servers.core.catalogue.ids[other]}.1`);
    expect(notFound()).toBe(before + 1);
    const m = await agent.request({ origin: servers.urls.mp, path: '/metrics', method: 'GET' });
    expect(await m.body.text()).toMatch(new RegExp(`^suca_stub_mp_content_location_not_found_total ${before + 1}$`, 'm'));
  });

  it('a discovery data record (MP_DdrEndpoint, the heartbeat): taken asynchronously (200, empty), counted under its endpoint; a malformed one: 400', async () => {
    const ddr = (body: string): Buffer => hooked('MP_DdrEndpoint', body);
    const before = servers.stats.mp.endpoints.get('MP_DdrEndpoint') ?? 0;
    const body =
      '<Report><ReportHeader><Identification><Machine><ClientInstalled>1</ClientInstalled><ClientType>1</ClientType>' +
      `<ClientID>${CLIENT_ID}</ClientID><ClientVersion>5.00.9132.1000</ClientVersion><NetBIOSName>WKS-7</NetBIOSName><CodePage>437</CodePage>` +
      '<SystemDefaultLCID>1033</SystemDefaultLCID></Machine></Identification><ReportDetails><ReportContent>Inventory Data</ReportContent>' +
      '<ReportType>Full</ReportType><Date>20260107092500.000000+000</Date><Version>1.0</Version><Format>1.1</Format></ReportDetails></ReportHeader>' +
      '<ReportBody><Instance ParentClass="CCM_DiscoveryData" Class="CCM_DiscoveryData" Namespace="\\\\WKS-7\\root\\ccm\\invagt" Content="New">' +
      '<CCM_DiscoveryData><PlatformID>Microsoft Windows NT Workstation 10.0</PlatformID></CCM_DiscoveryData></Instance></ReportBody></Report>';
    const ok = await post(ddr(body));
    expect(ok.status).toBe(200);
    expect(ok.body.length).toBe(0);
    expect(servers.stats.mp.endpoints.get('MP_DdrEndpoint')).toBe(before + 1);
    expect((await post(ddr('<Report><ReportHeader>'))).status).toBe(400);
  });

  it('a report from a registered client the scenario does not have: 200 with no body, its messages counted, nothing ingested', async () => {
    const foreign = 'GUID:5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
    expect((await post(registration(false, foreign))).status).toBe(200);
    const u0 = servers.core.catalogue.ids[0]!;
    const body = stateReport(foreign, 'WKS-9', stateMessage(1, 500, u0, 3, 3) + stateMessage(2, 500, u0, 3, 2));
    const c = servers.core.mp.counters;
    const before = { ingested: c.stateMessagesIngested, received: c.stateMessagesReceived, foreign: c.stateMessagesForeignClient };
    const r = await post(hooked('MP_RelayEndpoint', body, foreign));
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    expect(c.stateMessagesForeignClient - before.foreign).toBe(2);
    expect(c.stateMessagesIngested).toBe(before.ingested);
    expect(c.stateMessagesReceived).toBe(before.received);
    // /metrics says so
    const m = await agent.request({ origin: servers.urls.mp, path: '/metrics', method: 'GET' });
    expect(await m.body.text()).toMatch(/^suca_stub_mp_state_messages_foreign_client_total [1-9]\d*$/m);
  });

  it('a relay report with topics the scenario does not model (400, 1600, an update it does not have): 200, every serial kept, the known states ingested, the others counted', async () => {
    const U = servers.core.catalogue.size;
    const [u0, u1] = [servers.core.catalogue.ids[0]!, servers.core.catalogue.ids[1]!];
    const msg = stateMessage;
    const body = stateReport(
      CLIENT_ID,
      'WKS-7',
      msg(1, 500, u0, 3, 3) +
        msg(2, 400, '{6B1C0D2E-0000-4000-8000-00000000A400}', 0, 1) +
        msg(3, 1600, '{6B1C0D2E-0000-4000-8000-000000001600}', 0, 2) +
        msg(4, 500, '0d9e8f7a-0000-4000-8000-00000000dead', 3, 2) +
        msg(5, 500, u1, 3, 2),
    );
    const c = servers.core.mp.counters;
    const before = { ingested: c.stateMessagesIngested, unknown: c.stateMessagesUnknownTopic };
    const r = await post(hooked('MP_RelayEndpoint', body));
    expect(r.status).toBe(200);
    expect(c.stateMessagesIngested - before.ingested).toBe(5);
    expect(c.stateMessagesUnknownTopic - before.unknown).toBe(3);
    // the serials are contiguous: no gap the site would ask a resync for
    expect(servers.core.mp.contiguousSerial(2)).toBe(5);
    // the two updates the scenario has: installed (3) and required (2)
    expect(servers.core.mp.updateStateAt(2 * U + 0)).toBe(3);
    expect(servers.core.mp.updateStateAt(2 * U + 1)).toBe(2);
  });
});
