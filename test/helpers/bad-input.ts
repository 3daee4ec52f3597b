// The machinery of the stub bad-input tests (test/stub-bad-input-*.test.ts, one
// file per behaviour): the three stub servers (MP with signature verification
// on, WSUS, DP), valid requests built independently of the servers'
// (encodeRequest, buildMessage) and the generators that mutate them into more
// than 10,000 payloads, deterministically, with hand-written attacks; sending
// with bounded concurrency; and the check of every answer: a 4xx/5xx with a
// body that says what was wrong (a SOAP fault counts), or, for the few
// mutations that leave a request valid, a 2xx that an in-process decode of the
// same bytes (the codec and the handler's rules) confirms. Malformed HTTP over
// raw sockets gets a 400 or a closed connection, never a hang.
//
// Each test file imports this module, so each gets its own servers (vitest
// runs a file in its own fork: the heap measured is that file's alone), and
// runs the cases of the categories it is about with fuzz(); the plan (one
// seed per case, shuffled) is the same whatever the file picks, so a case is
// the same bytes in every file that runs it.

import { afterAll, expect } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import zlib from 'node:zlib';
import { pino } from 'pino';
import { Agent } from 'undici';
import { startStubServers } from '../../server-stub/http/index.js';
import { clientGuid } from '../../server-stub/core/clients.js';
import { dpContentUrl, wsusContentUrl } from '../../server-stub/http/content.js';
import { MAX_PAYLOAD_BYTES, WireError } from '../../agent/wire/errors.js';
import { TOPIC } from '../../agent/core/constants.js';
import * as wusp from '../../agent/wire/wusp/codec.js';
import * as ccm from '../../agent/wire/ccm/index.js';
import { DAY, scenario } from './kit.js';
import { prng } from './prng.js';

// ---- determinism ------------------------------------------------------------------

type Rng = ReturnType<typeof prng>;

const SEED = 0x5eed_b4d;
const TOTAL_MIN = 10_000;
const CONCURRENCY = 32;
const REQUEST_TIMEOUT_MS = 10_000;
const RAW_TIMEOUT_MS = 8_000;

// ---- servers ----------------------------------------------------------------------

const sc = scenario({ clients: 20, catalogue: { updates: 60, maxSizeMB: 2 } });
const NOW = sc.start + 2 * DAY;
const servers = await startStubServers({ config: sc.stub, logger: pino({ level: 'silent' }), clock: () => NOW, verifySignatures: true });
afterAll(() => servers.close());
const agent = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 5_000, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
afterAll(() => agent.close());

const processErrors: unknown[] = [];
const onProcessError = (e: unknown): void => void processErrors.push(e);
process.on('unhandledRejection', onProcessError);
process.on('uncaughtException', onProcessError);
afterAll(() => {
  process.off('unhandledRejection', onProcessError);
  process.off('uncaughtException', onProcessError);
});

const cat = servers.core.catalogue;
const ORIGIN = { mp: servers.urls.mp, wsus: servers.urls.wsus, dp: servers.urls.dp } as const;
type Role = keyof typeof ORIGIN;

// ---- what is sent, what must come back --------------------------------------------

/** What the answer must be. */
type Expect =
  /** a refusal: this status (or any 4xx), the body naming `code` when given */
  | { readonly ok: false; readonly status?: number | readonly number[]; readonly code?: string }
  /** a request that is valid after all: 2xx (or a SOAP fault, e.g. a mutated but well-formed cookie) */
  | { readonly ok: true; readonly why: string };

interface HttpCase {
  readonly cat: string;
  readonly role: Role;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body?: Buffer | (() => AsyncIterable<Buffer>);
  readonly expect: Expect;
}

interface RawCase {
  readonly cat: string;
  readonly role: Role;
  readonly bytes: Buffer;
  /** end our side after writing (the request is incomplete: only EOF can finish it) */
  readonly halfClose: boolean;
  readonly name: string;
}

type Case = HttpCase | RawCase;
const isRaw = (c: Case): c is RawCase => 'bytes' in c;

const refuse = (status?: number | readonly number[], code?: string): Expect => ({ ok: false, ...(status !== undefined ? { status } : {}), ...(code !== undefined ? { code } : {}) });
const valid = (why: string): Expect => ({ ok: true, why });
/** the oracle's 403 for a signature that does not verify: a generator's forced 400 does not override it */
const signatureRefusal = (e: Expect): boolean => e.ok === false && e.code === 'SUCA_ERR_WIRE_SIGNATURE';
const wireRefusal = (e: unknown): Expect => {
  // a signature that does not verify: 403 (the MP refuses to authenticate it), other bad input 400
  if (e instanceof WireError) return refuse(e.code === 'SUCA_ERR_WIRE_SIGNATURE' ? 403 : 400, e.code);
  throw e;
};

// ---- WSUS: valid requests and the server's rules, applied locally (the oracle) ------

const CLIENT = 1;
const GUID = clientGuid(sc.seed, CLIENT).toLowerCase();
const SOAP_CT = 'text/xml; charset=utf-8';

/** What the stub WSUS must answer to these bytes: the server's checks in its order, decoded by the codec in-process. */
function wsusOracle(method: string, path: string, headers: Record<string, string | string[]>, body: Buffer): Expect {
  if (body.length > MAX_PAYLOAD_BYTES) return refuse(413, 'SUCA_ERR_WIRE_TOO_LARGE');
  if (wusp.serviceForPath(path) === null) return refuse(404);
  if (method !== 'POST') return refuse(405);
  const ct = headerValue(headers, 'content-type');
  if (!/^\s*text\/xml\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i.test(ct ?? '')) return refuse(415, 'SUCA_ERR_WIRE_SOAP');
  try {
    wusp.decodeRequest(headerValue(headers, 'soapaction'), path, body);
    return valid('decodes as a WUSP request');
  } catch (e) {
    // valid for the WSDL, but no server serves it (no cookie): the answer is a SOAP fault, not a refusal
    if (e instanceof wusp.WuspRequestFault) return valid(`the WSDL allows it; the server answers the WUSP fault ${e.errorCode}`);
    return wireRefusal(e);
  }
}

function headerValue(h: Record<string, string | string[]>, name: string): string | undefined {
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(', ') : v;
  return undefined;
}

function soapHeaders(soapAction: string | undefined, extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { 'Content-Type': SOAP_CT, 'User-Agent': wusp.WUA_USER_AGENT, ...(soapAction !== undefined ? { SOAPAction: soapAction } : {}), ...extra };
}

interface WsusBase {
  readonly op: wusp.WuspOperation;
  readonly path: string;
  readonly soapAction: string;
  readonly body: string;
}

let wsusBases: WsusBase[] = [];

async function prepareWsus(): Promise<void> {
  const call = async (msg: wusp.WuspRequest) => {
    const e = wusp.encodeRequest(msg);
    const r = await agent.request({ origin: ORIGIN.wsus, path: e.path, method: 'POST', headers: soapHeaders(e.soapAction), body: e.body });
    const text = await r.body.text();
    expect(r.statusCode, `${msg.op}: ${text}`).toBe(200);
    const d = wusp.decodeResponse(msg.op, text);
    if (wusp.isFault(d)) throw new Error(`${msg.op}: fault ${d.errorCode}`);
    return d;
  };
  const config = (await call({ op: 'GetConfig', protocolVersion: '2.90' })) as wusp.GetConfigResponse;
  const auth = (await call({ op: 'GetAuthorizationCookie', clientId: GUID, dnsName: 'client1.suca-fleet.test' })) as Extract<wusp.WuspResponse, { op: 'GetAuthorizationCookie' }>;
  const got = (await call({
    op: 'GetCookie',
    authCookies: [auth.cookie],
    oldCookie: { expiration: wusp.formatDateTime(NOW) },
    lastChange: config.lastChange,
    currentTime: wusp.formatDateTime(NOW),
    protocolVersion: '2.90',
  })) as Extract<wusp.WuspResponse, { op: 'GetCookie' }>;
  const cookie = got.cookie;
  const requests: wusp.WuspRequest[] = [
    { op: 'GetConfig', protocolVersion: '2.90' },
    { op: 'GetAuthorizationCookie', clientId: GUID, dnsName: 'client1.suca-fleet.test' },
    { op: 'GetCookie', authCookies: [auth.cookie], oldCookie: { expiration: wusp.formatDateTime(NOW) }, lastChange: config.lastChange, currentTime: wusp.formatDateTime(NOW), protocolVersion: '2.90' },
    {
      op: 'RegisterComputer',
      cookie,
      computerInfo: {
        dnsName: 'client1.suca-fleet.test', osMajorVersion: 10, osMinorVersion: 0, osBuildNumber: 26200, osServicePackMajorNumber: 0, osServicePackMinorNumber: 0,
        osLocale: 'en-US', computerManufacturer: 'suca-fleet', computerModel: 'Emulated client', biosVersion: '1.0', biosName: 'Emulated BIOS',
        biosReleaseDate: '2024-01-01T00:00:00', processorArchitecture: 'AMD64', suiteMask: 256, oldProductType: 1, newProductType: 48, systemMetrics: 0,
        clientVersionMajorNumber: 1507, clientVersionMinorNumber: 2601, clientVersionBuildNumber: 30012, clientVersionQfeNumber: 0,
      },
    },
    { op: 'StartCategoryScan', requestedCategories: [{ indexOfAndGroup: 0, categoryId: 'a1c3e5f7-0b2d-4f6a-8c9e-1b3d5f7a9c0e' }] },
    { op: 'SyncUpdates', cookie, parameters: { expressQuery: false, installedNonLeafUpdateIds: [1001], otherCachedUpdateIds: [1002, 1003], skipSoftwareSync: false, needTwoGroupOutOfScopeUpdates: true, computerSpec: {} } },
    { op: 'GetExtendedUpdateInfo', cookie, revisionIds: [1000, 1001, 1002], infoTypes: ['Extended', 'LocalizedProperties'], locales: ['en-US', 'en'] },
    // the operations outside the captured scan (MS-WUSP 2.2.2.2.5, .7, .9, .10), by the catalogue's identities and digests
    { op: 'RefreshCache', cookie, globalIds: [0, 1].map((u) => ({ updateId: cat.ids[u]!.toLowerCase(), revisionNumber: cat.revision[u]! })) },
    { op: 'GetFileLocations', cookie, fileDigests: [Buffer.from(cat.sha1[0]!, 'hex').toString('base64'), Buffer.alloc(20).toString('base64')] },
    { op: 'GetExtendedUpdateInfo2', cookie, updateIds: [{ updateId: cat.ids[0]!.toLowerCase(), revisionNumber: cat.revision[0]! }], infoTypes: ['Extended', 'LocalizedProperties'], locales: ['en-US'] },
    { op: 'SyncPrinterCatalog', cookie, installedNonLeafUpdateIds: [1001], printerUpdateIds: [1002] },
    {
      op: 'ReportEventBatch',
      cookie,
      clientTime: wusp.formatDateTime(NOW),
      eventBatch: [{
        basicData: {
          targetSid: GUID, sequenceNumber: 0, timeAtTarget: wusp.formatDateTime(NOW), eventInstanceId: '0badc0de-0000-4000-8000-000000000001',
          namespaceId: 1, eventId: 147, sourceId: 1, updateId: { updateId: wusp.ZERO_GUID, revisionNumber: 0 }, win32HResult: 0, appName: 'AutomaticUpdates',
        },
        extendedData: { replacementStrings: ['3'], processorArchitecture: 'Amd64Compatible', osVersion: { major: 10, minor: 0, build: 26200, revision: 0, servicePackMajor: 0, servicePackMinor: 0 }, osLocaleId: 1033 },
      }],
    },
  ];
  wsusBases = requests.map((m) => ({ op: m.op, ...wusp.encodeRequest(m) }));
  // every base is valid as it stands
  for (const b of wsusBases) expect(wsusOracle('POST', b.path, soapHeaders(b.soapAction), Buffer.from(b.body)), b.op).toMatchObject({ ok: true });
}

// ---- XML mutation helpers (text level) ---------------------------------------------

/** [start, end) spans of whole elements: leaf elements and self-closing ones, and (with some luck) containers. */
function elementSpans(xml: string): [number, number][] {
  const spans: [number, number][] = [];
  const open = /<([A-Za-z_][\w.:-]*)(\s[^<>]*?)?(\/?)>/g;
  for (let m = open.exec(xml); m !== null; m = open.exec(xml)) {
    if (m[3] === '/') {
      spans.push([m.index, m.index + m[0].length]);
      continue;
    }
    const close = `</${m[1]}>`;
    const end = xml.indexOf(close, m.index + m[0].length);
    if (end >= 0) spans.push([m.index, end + close.length]);
  }
  return spans;
}

function duplicateElement(r: Rng, xml: string): string {
  const spans = elementSpans(xml);
  if (spans.length === 0) return xml + xml;
  const [a, b] = r.pick(spans);
  return xml.slice(0, b) + xml.slice(a, b) + xml.slice(b);
}

function removeElement(r: Rng, xml: string): string {
  const spans = elementSpans(xml);
  if (spans.length === 0) return '';
  const [a, b] = r.pick(spans);
  return xml.slice(0, a) + xml.slice(b);
}

function flipBytes(r: Rng, b: Buffer, lo = 0, hi = b.length): Buffer {
  const out = Buffer.from(b);
  const n = 1 + r.int(r.chance(0.7) ? 2 : 8);
  for (let i = 0; i < n && hi > lo; i++) {
    const at = lo + r.int(hi - lo);
    out[at] = r.chance(0.5) ? out[at]! ^ (1 << r.int(8)) : r.int(256);
  }
  return out;
}

function truncate(r: Rng, b: Buffer): Buffer {
  return b.subarray(0, r.int(b.length));
}

const INVALID_UTF8 = [[0xc3, 0x28], [0xff], [0xfe], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];

const DTD_ATTACKS: readonly ((port: string) => string)[] = [
  // billion laughs
  () => '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>',
  // external entities
  () => '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  (port) => `<!DOCTYPE foo [<!ENTITY xxe SYSTEM "http://127.0.0.1:${port}/health">]>`,
  (port) => `<!DOCTYPE foo SYSTEM "http://127.0.0.1:${port}/evil.dtd">`,
  () => '<!DOCTYPE foo [<!ENTITY % xxe SYSTEM "file:///etc/passwd"> %xxe;]>',
  () => '<!DOCTYPE foo PUBLIC "-//X//Y" "file:///etc/passwd">',
  () => '<!DOCTYPE s:Envelope>',
  () => '<!ENTITY xxe "x">',
  () => '<!doctype foo [<!ENTITY a "b">]>',
  () => '<!ELEMENT foo ANY>',
  () => '<!ATTLIST foo bar CDATA "baz">',
];

/** A DTD attack placed before the envelope, inside it, or in a comment, with the entity referenced in the body. */
function dtdPayload(r: Rng, base: string, port: string): string {
  const decl = r.pick(DTD_ATTACKS)(port);
  const ref = r.pick(['&lol9;', '&xxe;', '&a;', '']);
  const withRef = ref === '' ? base : base.replace(/(<[A-Za-z]+ xmlns="[^"]*">)/, `$1${ref}`);
  switch (r.int(4)) {
    case 0:
      return decl + withRef;
    case 1:
      return '<?xml version="1.0" encoding="utf-8"?>' + decl + withRef;
    case 2:
      return withRef.replace('<s:Body>', `<s:Body>${decl}`);
    default:
      return `<!-- ${decl} -->` + withRef;
  }
}

// ---- MP: signed messages, the handler's rules applied locally -----------------------

// the fixtures' throw-away key: signatures (PKCS#1 v1.5) are then the same on every run
const key = ccm.clientKey(createPrivateKey(readFileSync(new URL('../fixtures/ccm/test-key-rsa1024.pem', import.meta.url))));
/** a key that signed nothing */
const otherKey = ccm.generateClientKey(1024);
const SOURCE_ID = `GUID:${clientGuid(sc.seed, CLIENT)}`;
const CLIENT_ID_SIGNATURE = ccm.signClientId(key, SOURCE_ID);
const KNOWN_CLIENTS = new Set(Array.from({ length: sc.clients }, (_, i) => clientGuid(sc.seed, i).toUpperCase()));

function normGuid(s: string): string {
  return s.trim().replace(/^GUID:/i, '').replace(/^\{|\}$/g, '').toUpperCase();
}

/** What the stub MP must answer to a CCM_POST of these bytes (decoded and verified in-process). */
function ccmOracle(contentType: string, payload: Buffer): Expect {
  if (payload.length > MAX_PAYLOAD_BYTES) return refuse(413, 'SUCA_ERR_WIRE_TOO_LARGE');
  try {
    const m0 = ccm.openMessage(contentType, payload);
    const ep = ccm.endpointOf(m0.header) ?? '';
    // registration needs no clientauth hook; every other message is verified (the registered key is the fixture key)
    const m = ep === ccm.MP_ENDPOINT.CLIENT_REGISTRATION ? m0 : ccm.openMessage(contentType, payload, { verify: key.publicKey });
    ccm.refuseUndeclaredReferences(m.body, 'part 2 (body)');
    switch (ep) {
      case ccm.MP_ENDPOINT.CLIENT_REGISTRATION: {
        const reg = ccm.decodeClientRegistrationRequest(m.body);
        const certKey = ccm.keyFromCertificateHex(reg.data.signingCertificate, 'Certificates/Signing');
        if (!ccm.verifyRegistrationData(certKey, ccm.registrationSignedData(m.body), reg.signature)) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'registration signature', 'SignatureValue');
        // a registration of another key would change what later messages must be signed with
        if (ccm.keyFingerprint(certKey) !== ccm.keyFingerprint(key.publicKey)) throw new Error('the generator registered another key');
        return valid(ep);
      }
      case ccm.MP_ENDPOINT.POLICY_MANAGER:
        ccm.decodeRequestAssignments(m.body);
        return valid(ep);
      case ccm.MP_ENDPOINT.LOCATION_MANAGER:
        if (ccm.rootElementName(m.body) === 'WSUSLocationRequest') ccm.decodeWsusLocationRequest(m.body);
        else ccm.decodeContentLocationRequest(m.body);
        return valid(ep);
      case ccm.MP_ENDPOINT.DDR:
        // taken whole (a real MP takes the heartbeat asynchronously): well-formed XML is all it needs
        ccm.parseXml(m.body, 'DDR');
        return valid(ep);
      case ccm.MP_ENDPOINT.RELAY: {
        const report = ccm.decodeReport(m.body);
        if (!KNOWN_CLIENTS.has(normGuid(report.machine.clientId))) {
          // a client the scenario does not have is taken (README, MP_RelayEndpoint); a ClientID that is no client id is not
          const id = report.machine.clientId.trim();
          return /^GUID:\{?[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}?$/i.test(id) ? valid(ep) : refuse(400, 'SUCA_ERR_WIRE_FIELD');
        }
        // topics the scenario does not model are taken, as a real MP relays every message (README, MP_RelayEndpoint)
        return valid(ep);
      }
      default:
        return refuse(400, 'SUCA_ERR_WIRE_OPERATION');
    }
  } catch (e) {
    return wireRefusal(e);
  }
}

const LOCATION = { adSite: 'Default-First-Site-Name', forest: 'suca-fleet.test', domain: 'suca-fleet.test', ipAddresses: [{ subnetAddress: '10.0.0.0', address: '10.0.0.1' }] };

function reportBody(r: Rng, messages: { topicType: number; topicId: string; stateId?: number }[], clientId = SOURCE_ID): string {
  return ccm.encodeReport({
    machine: { clientInstalled: 1, clientType: 1, clientId, clientVersion: '5.00.9132.1000', netbiosName: 'CLIENT1', codePage: 437, systemDefaultLcid: 1033, priority: 5 },
    details: { reportContent: 'State Message Data', reportType: 'Full', date: NOW, version: '1.0', format: '1.0' },
    messages: messages.map((m, i) => ({
      messageTime: NOW, serialNumber: 1000 + r.int(1e9) + i, topicId: m.topicId, topicType: m.topicType, topicIdType: ccm.topicIdTypeOf(m.topicType),
      user: '', userSid: '', stateId: m.stateId ?? 2, criticality: 0, userFlags: 0, params: [],
    })),
  });
}

const REGISTRATION_DATA = {
  hashAlgorithm: ccm.HASH_ALGORITHM_SHA256, smsId: SOURCE_ID, requestType: 'Registration', timeStamp: ccm.toIsoSeconds(NOW), agentIdentity: 'CCMSetup.exe',
  agentVersion: '5.00.9132.1000', agentType: 0, encryptionCertificate: key.certificateHex, signingCertificate: key.certificateHex, netbiosName: 'CLIENT1', fqdn: 'client1.suca-fleet.test', localeId: 1033, internetFlag: 0,
};
const REGISTRATION_BODY = ccm.encodeClientRegistrationRequest({ data: REGISTRATION_DATA, signature: ccm.signRegistrationData(key, ccm.encodeRegistrationData(REGISTRATION_DATA)) });

const CCM_BODIES: Readonly<Record<string, (r: Rng) => string>> = {
  [ccm.MP_ENDPOINT.CLIENT_REGISTRATION]: () => REGISTRATION_BODY,
  [ccm.MP_ENDPOINT.POLICY_MANAGER]: () =>
    ccm.encodeRequestAssignments({ clientId: SOURCE_ID, fqdn: 'client1.suca-fleet.test', netbiosName: 'CLIENT1', policySource: 'SMS:SUC', resourceType: 'Machine', requestType: 'Always', ack: true, serverCookie: '' }),
  [ccm.MP_ENDPOINT.LOCATION_MANAGER]: () =>
    ccm.encodeWsusLocationRequest({ contentId: `{${cat.updateSourceId}}`, contentVersion: cat.updateSourceVersion, siteCode: 'SUC', onInternet: false, location: LOCATION }),
  'MP_LocationManager#content': () =>
    ccm.encodeContentLocationRequest({ packageId: `UID:Content_${cat.ids[0]}`, version: 1, siteCode: 'SUC', locationType: 'SMSUpdate', location: LOCATION }),
  [ccm.MP_ENDPOINT.RELAY]: (r) => reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: cat.ids[3]! }, { topicType: TOPIC.UPDATE_SOURCE_SCAN, topicId: `{${cat.updateSourceId}}`, stateId: 3 }]),
};
const CCM_KINDS = Object.keys(CCM_BODIES);

// The client registers the fixture key before any case: from then on the stub
// checks every hooked message against it, whatever the case order.
{
  const m = ccm.buildMessage({ header: ccmHeader(ccm.MP_ENDPOINT.CLIENT_REGISTRATION, { int: () => 0 } as unknown as Rng), body: REGISTRATION_BODY });
  const res = await agent.request({ origin: ORIGIN.mp, path: ccm.CCM_REQUEST_PATH, method: ccm.CCM_METHOD, headers: { 'Content-Type': m.contentType, 'User-Agent': ccm.CCM_USER_AGENT }, body: m.payload });
  await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`registration of the fixture key: HTTP ${res.statusCode}`);
}

function ccmHeader(endpoint: string, r: Rng): ccm.MsgHeader {
  const ep = endpoint.replace(/#.*$/, '');
  return ccm.requestHeader({
    id: `{0BADC0DE-0000-4000-8000-${r.int(2 ** 48).toString(16).padStart(12, '0').toUpperCase()}}`,
    endpoint: ep,
    clientHost: 'client1.suca-fleet.test',
    mpHost: '127.0.0.1',
    sourceId: SOURCE_ID,
    sentTime: ccm.toIsoSeconds(NOW),
    replyMode: ep === ccm.MP_ENDPOINT.RELAY ? 'Async' : 'Sync',
    properties: ep === ccm.MP_ENDPOINT.RELAY ? [{ name: 'FileType', value: 'SMX' }] : [],
  });
}

/** A signed message: header (as a value) and body (as text). */
function signed(header: ccm.MsgHeader, body: string) {
  return ccm.buildMessage({ header, body, signer: { key, clientIdSignature: CLIENT_ID_SIGNATURE } });
}

/** Frames a header given as XML text (possibly broken) with a packed body, as buildMessage would. */
function frame(headerXml: string, packed: ccm.PackedBody): Buffer {
  return ccm.encodeMessage({ header: headerXml, body: packed }).payload;
}

const CCM_HEADERS = (contentType: string): Record<string, string> => ({ 'Content-Type': contentType, 'User-Agent': ccm.CCM_USER_AGENT });

function ccmCase(category: string, contentType: string, payload: Buffer, forced?: Expect): HttpCase {
  const oracle = ccmOracle(contentType, payload);
  if (forced !== undefined && forced.ok === false && oracle.ok) throw new Error(`${category}: the generator meant a refusal but the bytes are a valid message`);
  return { cat: category, role: 'mp', method: ccm.CCM_METHOD, path: ccm.CCM_REQUEST_PATH, headers: CCM_HEADERS(contentType), body: payload, expect: forced !== undefined && forced.ok === false && !signatureRefusal(oracle) ? { ...oracle, ...forced } : oracle };
}

// ---- the generators -----------------------------------------------------------------

type Gen = (r: Rng) => Case;
const generators: { readonly cat: string; readonly n: number; readonly gen: Gen }[] = [];
const add = (category: string, n: number, gen: Gen): void => void generators.push({ cat: category, n, gen });

const wsusCase = (category: string, path: string, headers: Record<string, string | string[]>, body: Buffer, method = 'POST'): HttpCase => ({
  cat: category, role: 'wsus', method, path, headers, body, expect: wsusOracle(method, path, headers, body),
});
/** A WSUS case that must be refused whatever the oracle says (the oracle must agree). */
const wsusRefusal = (category: string, path: string, headers: Record<string, string | string[]>, body: Buffer, method = 'POST'): HttpCase => {
  const c = wsusCase(category, path, headers, body, method);
  if (c.expect.ok) throw new Error(`${category}: the generator meant a refusal but the oracle calls it valid`);
  return c;
};

function defineWsus(): void {
  const port = new URL(ORIGIN.wsus).port;
  add('wsus.byte-flip', 1_200, (r) => {
    const b = r.pick(wsusBases);
    return wsusCase('wsus.byte-flip', b.path, soapHeaders(b.soapAction), flipBytes(r, Buffer.from(b.body)));
  });
  add('wsus.truncated', 400, (r) => {
    const b = r.pick(wsusBases);
    return wsusRefusal('wsus.truncated', b.path, soapHeaders(b.soapAction), truncate(r, Buffer.from(b.body)));
  });
  add('wsus.duplicate-element', 300, (r) => {
    const b = r.pick(wsusBases);
    return wsusCase('wsus.duplicate-element', b.path, soapHeaders(b.soapAction), Buffer.from(duplicateElement(r, b.body)));
  });
  add('wsus.remove-element', 300, (r) => {
    const b = r.pick(wsusBases);
    return wsusCase('wsus.remove-element', b.path, soapHeaders(b.soapAction), Buffer.from(removeElement(r, b.body)));
  });
  add('wsus.soapaction', 400, (r) => {
    const b = r.pick(wsusBases);
    const other = r.pick(wsusBases.filter((o) => o.op !== b.op));
    const uri = b.soapAction.slice(1, -1);
    const variants: (string | string[] | undefined)[] = [
      undefined, '', '""', '"', `"${uri}`, `${uri}"`, other.soapAction, `"${uri}x"`, `"${uri.toLowerCase()}"`, `"${uri.replace('http://', 'https://')}"`,
      `'${uri}'`, `"${uri}" "${uri}"`, [b.soapAction, other.soapAction], 'x'.repeat(1 + r.int(2000)), `"urn:${r.int(1e9)}"`, `"${uri}"; charset=utf-8`,
      uri, // unquoted: accepted, as ASP.NET and WCF do
    ];
    const v = r.pick(variants);
    const h = soapHeaders(undefined, v === undefined ? {} : { SOAPAction: v });
    return wsusCase('wsus.soapaction', b.path, h, Buffer.from(b.body));
  });
  add('wsus.unknown-operation', 200, (r) => {
    const b = r.pick(wsusBases);
    const name = r.pick(['GetConfig2', 'Foo', 'GetFileLocation', 'GetUpdateData', 'GetTimestamps', 'RefreshCaches', 'SyncPrinterCatalog2', 'ReportEventBatch2', 'x'.repeat(1 + r.int(300)), '_']);
    const body = b.body.replaceAll(`<${b.op} `, `<${name} `).replaceAll(`</${b.op}>`, `</${name}>`);
    const action = r.chance(0.5) ? b.soapAction.replace(new RegExp(`${b.op}"$`), `${name}"`) : b.soapAction;
    return wsusRefusal('wsus.unknown-operation', b.path, soapHeaders(action), Buffer.from(body));
  });
  add('wsus.soap12', 100, (r) => {
    const b = r.pick(wsusBases);
    const body = b.body.replace(wusp.NS_SOAP_ENVELOPE, 'http://www.w3.org/2003/05/soap-envelope');
    const ct = r.chance(0.5) ? SOAP_CT : `application/soap+xml; charset=utf-8; action="${b.soapAction.slice(1, -1)}"`;
    return wsusRefusal('wsus.soap12', b.path, { ...soapHeaders(b.soapAction), 'Content-Type': ct }, Buffer.from(body));
  });
  add('wsus.dtd-entities', 300, (r) => {
    const b = r.pick(wsusBases);
    return wsusRefusal('wsus.dtd-entities', b.path, soapHeaders(b.soapAction), Buffer.from(dtdPayload(r, b.body, port)));
  });
  add('wsus.entity-refs', 150, (r) => {
    const b = r.pick(wsusBases);
    const ref = r.pick(['&xxe;', '&lol9;', '&nbsp;', '&#0;', '&#x1;', '&#xD800;', '&#1114112;', '&;', '&amp', '&#xZZ;', '& ', '&#99999999;']);
    const body = b.body.replace(/>([^<]+)</, `>$1${ref}<`);
    return wsusRefusal('wsus.entity-refs', b.path, soapHeaders(b.soapAction), Buffer.from(body === b.body ? b.body.replace('<s:Body>', `<s:Body>${ref}`) : body));
  });
  add('wsus.invalid-utf8', 200, (r) => {
    const b = r.pick(wsusBases);
    const buf = Buffer.from(b.body);
    const at = 1 + r.int(buf.length - 1);
    const bad = Buffer.from(r.pick(INVALID_UTF8));
    return wsusRefusal('wsus.invalid-utf8', b.path, soapHeaders(b.soapAction), Buffer.concat([buf.subarray(0, at), bad, buf.subarray(at)]));
  });
  add('wsus.content-type', 200, (r) => {
    const b = r.pick(wsusBases);
    const ct = r.pick(['text/xml', 'TEXT/XML; Charset="UTF-8"', 'application/json', 'text/plain', 'application/soap+xml; charset=utf-8', 'text/xml; charset=utf-16', 'text/xml; charset=iso-8859-1', 'multipart/mixed; boundary=x', 'application/octet-stream', 'text/html', '*/*', 'xml', 'text/xml;;', 'text/xmlx']);
    const h = soapHeaders(b.soapAction);
    if (r.chance(0.1)) delete h['Content-Type']; // none at all
    else h['Content-Type'] = ct;
    return wsusCase('wsus.content-type', b.path, h, Buffer.from(b.body));
  });
  add('wsus.huge-body', 8, (r) => {
    const b = r.pick(wsusBases);
    const size = MAX_PAYLOAD_BYTES + 1 + r.int(1024);
    const chunked = r.chance(0.5);
    const head = Buffer.from(b.body.slice(0, b.body.indexOf('<s:Body>') + 8));
    const filler = Buffer.alloc(64 * 1024, 0x20);
    const expect = refuse(413, 'SUCA_ERR_WIRE_TOO_LARGE');
    if (!chunked) {
      const body = Buffer.alloc(size, 0x20);
      head.copy(body);
      return { cat: 'wsus.huge-body', role: 'wsus', method: 'POST', path: b.path, headers: soapHeaders(b.soapAction), body, expect };
    }
    const gen = async function* (): AsyncIterable<Buffer> {
      yield head;
      for (let sent = head.length; sent < size; sent += filler.length) yield filler;
    };
    return { cat: 'wsus.huge-body', role: 'wsus', method: 'POST', path: b.path, headers: soapHeaders(b.soapAction), body: gen, expect };
  });
  add('wsus.path-method', 200, (r) => {
    const b = r.pick(wsusBases);
    const paths = [wusp.PATH_CLIENT, wusp.PATH_SIMPLE_AUTH, wusp.PATH_REPORTING, wusp.PATH_REPORTING_ALT, '/ClientWebService/client.asmx/x', '/ClientWebService/', '/client.asmx', '/ClientWebService/client.asmx%00', '/SimpleAuthWebService/SimpleAuth.asmx/../../x', '/ApiRemoting30/WebService.asmx', '/DssAuthWebService/DssAuthWebService.asmx'];
    const methods = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST', 'POST', 'POST'];
    const path = r.pick(paths);
    const method = r.pick(methods);
    if (method !== 'GET' && method !== 'OPTIONS') return wsusCase('wsus.path-method', path, soapHeaders(b.soapAction), Buffer.from(b.body), method);
    const headers = soapHeaders(b.soapAction);
    return { cat: 'wsus.path-method', role: 'wsus', method, path, headers, expect: wsusOracle(method, path, headers, Buffer.alloc(0)) };
  });
  add('wsus.structure', 300, (r) => {
    const b = r.pick(wsusBases);
    const depth = r.pick([150, 1_000, 20_000, 200_000]);
    const bodies: (() => string)[] = [
      () => '',
      () => ' ',
      () => '{"op":"GetConfig"}',
      () => 'x',
      () => '<',
      () => b.body + b.body,
      () => b.body + 'trailing text',
      () => 'leading text' + b.body,
      () => '<a>'.repeat(depth) + '</a>'.repeat(depth),
      () => b.body.replace('<s:Body>', '<s:Body>' + '<x>'.repeat(depth)).replace('</s:Body>', '</x>'.repeat(depth) + '</s:Body>'),
      () => b.body.replace(/<(\w+) xmlns/, `<$1 ${Array.from({ length: 5_000 }, (_, i) => `a${i}="${i}"`).join(' ')} xmlns`),
      () => b.body.replace(/<(\w+) xmlns/, '<$1 a="1" a="2" xmlns'),
      () => b.body.replace('<s:Body>', '<s:Body><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>'),
      () => b.body.replace('</s:Body>', '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/></s:Body>'),
      () => b.body.replace('<s:Body>', '<s:Header><Evil>&amp;</Evil></s:Header><s:Body>'),
      () => b.body.replace('<s:Body>', '<s:Body></s:Body><s:Body>'),
      () => b.body.replace(/<s:Body>.*<\/s:Body>/, '<s:Body/>'),
      () => b.body.replace(/<\/s:Envelope>$/, ''),
      () => b.body.replace('xmlns:s=', 'xmlns:t='),
      () => b.body.replace(/ xmlns="[^"]*"/, ''),
      () => b.body.replace('<s:Body>', '<s:Body><![CDATA[<!DOCTYPE x>]]>'),
      () => b.body.replace('<s:Body>', '<s:Body><!-- -- -->'),
      () => b.body.replace('<s:Body>', '<s:Body><?php evil ?>'),
      () => '\ufeff' + b.body,
      () => '\ufeff\ufeff' + b.body,
      () => b.body.replace(/>([^<]{1,40})</, `>${'\u0000'}<`),
      () => b.body.replace(/>([^<]{1,40})</, `>${'x'.repeat(1 + r.int(100_000))}<`),
      () => b.body.replace(/>([^<]{1,40})</, '><![CDATA[$1]]><'),
      () => b.body.replaceAll('s:', 'soap:').replace('xmlns:soap=', 'xmlns:soap=').replace(/xmlns:soap="[^"]*"/, `xmlns:soap="${wusp.NS_SOAP_ENVELOPE}"`),
    ];
    const mk = r.pick(bodies);
    const body = Buffer.from(mk());
    const binary = r.chance(0.05);
    const payload = binary ? Buffer.from(Array.from({ length: 1 + r.int(4096) }, () => r.int(256))) : body;
    return wsusCase('wsus.structure', b.path, soapHeaders(b.soapAction), payload);
  });
}

let policyPaths: string[] = [];
const TOKEN = `${SOURCE_ID};${ccm.toIsoSeconds(NOW)};2`;

async function prepareMp(): Promise<void> {
  const g = prng(SEED + 1);
  const m = signed(ccmHeader(ccm.MP_ENDPOINT.POLICY_MANAGER, g), CCM_BODIES[ccm.MP_ENDPOINT.POLICY_MANAGER]!(g));
  const r = await agent.request({ origin: ORIGIN.mp, path: ccm.CCM_REQUEST_PATH, method: ccm.CCM_METHOD, headers: CCM_HEADERS(m.contentType), body: m.payload });
  const buf = Buffer.from(await r.body.arrayBuffer());
  expect(r.statusCode, buf.toString('latin1')).toBe(200);
  const reply = ccm.decodeReplyAssignments(ccm.openMessage(String(r.headers['content-type']), buf).body);
  expect(reply.assignments.length).toBeGreaterThan(1);
  policyPaths = reply.assignments.map((a) => {
    const u = new URL(ccm.resolvePolicyLocation(a.policyLocation, 'mp.test'));
    return u.pathname + u.search;
  });
  // every base message is valid as it stands
  for (const k of CCM_KINDS) {
    const msg = signed(ccmHeader(k, g), CCM_BODIES[k]!(g));
    expect(ccmOracle(msg.contentType, msg.payload), k).toMatchObject({ ok: true });
  }
}

/** What the MP answers a policy GET: the handler's rules, with the hashes it handed out. */
function policyOracle(path: string): Expect {
  let p: ccm.PolicyRequest;
  try {
    p = ccm.parsePolicyRequestPath(path);
  } catch (e) {
    return wireRefusal(e);
  }
  const known = policyPaths.map((x) => ccm.parsePolicyRequestPath(x));
  const same = known.filter((k) => (k.policyId === '{SUCA-SETTINGS}' ? p.policyId === k.policyId : k.policyId.toUpperCase() === p.policyId.toUpperCase()));
  if (same.length === 0) return refuse(404);
  if (p.hash !== null && !same.some((k) => k.hash === p.hash)) return refuse(404);
  return valid('a policy the MP serves');
}

function defineMp(): void {
  const base = (r: Rng) => {
    const kind = r.pick(CCM_KINDS);
    const header = ccmHeader(kind, r);
    const body = CCM_BODIES[kind]!(r);
    return { kind, header, body, msg: signed(header, body) };
  };
  add('mp.byte-flip', 800, (r) => {
    const { msg } = base(r);
    return ccmCase('mp.byte-flip', msg.contentType, flipBytes(r, msg.payload));
  });
  add('mp.truncated', 300, (r) => {
    const { msg } = base(r);
    return ccmCase('mp.truncated', msg.contentType, truncate(r, msg.payload), refuse(400));
  });
  add('mp.boundary', 300, (r) => {
    const { msg } = base(r);
    const B = ccm.CCM_BOUNDARY;
    const variants: (() => [string, Buffer])[] = [
      () => [`multipart/mixed; boundary="${B}x"`, msg.payload],
      () => ['multipart/mixed', msg.payload],
      () => ['multipart/mixed; boundary=""', msg.payload],
      () => [`multipart/mixed; boundary="${'b'.repeat(71)}"`, msg.payload],
      () => [`multipart/related; boundary="${B}"`, msg.payload],
      () => ['text/xml; charset=utf-8', msg.payload],
      () => ['', msg.payload],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replaceAll(`--${B}`, `--${B.slice(0, -1)}`), 'latin1')],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replace(`\r\n--${B}--`, ''), 'latin1')],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replace(`--${B}\r\n`, `--${B}X`), 'latin1')],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replace('content-type: application/octet-stream\r\n\r\n', 'content-type: application/octet-stream\r\n'), 'latin1')],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replace('content-type: text/plain; charset=UTF-16', 'content-type text/plain'), 'latin1')],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replaceAll('\r\n', '\n'), 'latin1')],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replace('application/octet-stream', 'image/png'), 'latin1')],
      () => [msg.contentType, Buffer.from(msg.payload.toString('latin1').replace('charset=UTF-16', 'charset=utf-8'), 'latin1')],
      () => [msg.contentType, Buffer.from('preamble only, no delimiter at all')],
      () => [msg.contentType, Buffer.alloc(0)],
    ];
    const [ct, payload] = r.pick(variants)();
    return ccmCase('mp.boundary', ct, payload, refuse(400));
  });
  add('mp.missing-parts', 200, (r) => {
    const { msg } = base(r);
    const s = msg.payload.toString('latin1');
    const B = ccm.CCM_BOUNDARY;
    const i2 = s.indexOf(`\r\n--${B}\r\ncontent-type: application/octet-stream`);
    const part1 = s.slice(0, i2);
    const part2 = s.slice(i2 + 2, s.lastIndexOf(`\r\n--${B}--`));
    const variants = [
      `${part1}\r\n--${B}--`,
      `--${B}--`,
      `${part2}\r\n--${B}--`,
      `${part2}\r\n${part1}\r\n--${B}--`,
      `${part1}\r\n${part1}\r\n--${B}--`,
      `--${B}\r\n\r\n\r\n--${B}\r\n\r\n\r\n--${B}--`,
    ];
    return ccmCase('mp.missing-parts', msg.contentType, Buffer.from(r.pick(variants), 'latin1'), refuse(400));
  });
  add('mp.bom', 150, (r) => {
    const { header, body } = base(r);
    const packed = ccm.packBody(body);
    const clientAuth = ccm.signMessage(key, { clientId: SOURCE_ID, bodyPart: packed.compressed, authSenderMachine: 'client1.suca-fleet.test', clientIdSignature: CLIENT_ID_SIGNATURE });
    const xml = ccm.encodeHeader({ ...header, body: { type: 'ByteRange', length: packed.length, offset: 0 }, zlibCompress: true, clientAuth });
    const B = ccm.CCM_BOUNDARY;
    const bom = r.pick([[], [0xfe, 0xff], [0xef, 0xbb, 0xbf], [0xff], [0xff, 0xff], [0x00, 0x00]]);
    const enc = r.chance(0.3) ? Buffer.from(xml, 'utf8') : Buffer.from(xml, 'utf16le');
    const headerBytes = r.chance(0.2) ? Buffer.concat([Buffer.from([0xff, 0xfe]), enc, Buffer.from([0x41])]) : Buffer.concat([Buffer.from(bom), enc]);
    const payload = Buffer.concat([
      Buffer.from(`--${B}\r\ncontent-type: text/plain; charset=UTF-16\r\n\r\n`, 'latin1'), headerBytes,
      Buffer.from(`\r\n--${B}\r\ncontent-type: application/octet-stream\r\n\r\n`, 'latin1'), packed.compressed, Buffer.from(`\r\n--${B}--`, 'latin1'),
    ]);
    return ccmCase('mp.bom', ccm.CCM_CONTENT_TYPE, payload, refuse(400));
  });
  const bomb = zlib.deflateSync(Buffer.alloc(48 * 1024 * 1024), { level: 9 });
  const frameSigned = (header: ccm.MsgHeader, compressed: Buffer, length: number): Buffer => {
    const clientAuth = ccm.signMessage(key, { clientId: SOURCE_ID, bodyPart: compressed, authSenderMachine: 'client1.suca-fleet.test', clientIdSignature: CLIENT_ID_SIGNATURE });
    return frame(ccm.encodeHeader({ ...header, body: { type: 'ByteRange', length, offset: 0 }, zlibCompress: true, clientAuth }), { compressed, length });
  };
  add('mp.zlib', 300, (r) => {
    const { header, body } = base(r);
    const packed = ccm.packBody(body);
    const c = packed.compressed;
    const variants: (() => Buffer)[] = [
      () => c.subarray(0, r.int(c.length)),
      () => Buffer.from(Array.from({ length: 1 + r.int(2000) }, () => r.int(256))),
      () => Buffer.concat([c, Buffer.from('trailing')]),
      () => flipBytes(r, c),
      () => zlib.deflateRawSync(Buffer.concat([Buffer.from(body, 'utf16le'), Buffer.alloc(2)])),
      () => zlib.gzipSync(Buffer.concat([Buffer.from(body, 'utf16le'), Buffer.alloc(2)])),
      () => zlib.deflateSync(Buffer.from(body, 'utf8')),
      () => zlib.deflateSync(Buffer.concat([Buffer.from(body, 'utf16le'), Buffer.from([0x00, 0xd8])])),
      () => Buffer.alloc(0),
    ];
    const compressed = r.pick(variants)();
    return ccmCase('mp.zlib', ccm.CCM_CONTENT_TYPE, frameSigned(header, compressed, packed.length), refuse(400));
  });
  add('mp.zlib-bomb', 12, (r) => {
    const { header } = base(r);
    return ccmCase('mp.zlib-bomb', ccm.CCM_CONTENT_TYPE, frameSigned(header, bomb, 48 * 1024 * 1024), refuse(400, 'SUCA_ERR_WIRE_TOO_LARGE'));
  });
  add('mp.signature', 400, (r) => {
    // registration carries no hook (a bad hook there is ignored): every other endpoint
    let b = base(r);
    while (b.kind === ccm.MP_ENDPOINT.CLIENT_REGISTRATION) b = base(r);
    const { header, body } = b;
    const packed = ccm.packBody(body);
    const good = ccm.signMessage(key, { clientId: SOURCE_ID, bodyPart: packed.compressed, authSenderMachine: 'client1.suca-fleet.test', clientIdSignature: CLIENT_ID_SIGNATURE });
    const flipHex = (h: string): string => {
      const i = r.int(h.length);
      const c = h[i]!;
      const d = c === '0' ? '1' : '0';
      return h.slice(0, i) + d + h.slice(i + 1);
    };
    const variants: (() => ccm.ClientAuthHook | null)[] = [
      () => ({ ...good, payloadSignature: flipHex(good.payloadSignature!) }),
      () => ({ ...good, clientIdSignature: flipHex(good.clientIdSignature!) }),
      () => ({ ...good, payloadSignature: good.payloadSignature!.slice(0, -2) }),
      () => ({ ...good, payloadSignature: good.payloadSignature!.slice(1) }),
      () => ({ ...good, payloadSignature: 'ZZ' + good.payloadSignature!.slice(2) }),
      () => ({ ...good, payloadSignature: '' }),
      () => ({ ...good, payloadSignature: null }),
      () => ({ ...good, payloadSignature: good.clientIdSignature }),
      () => ({ ...good, publicKey: flipHex(good.publicKey!) }),
      () => ({ ...good, publicKey: good.publicKey!.slice(0, 40) }),
      () => ({ ...good, publicKey: '0602000000A40000' + '00'.repeat(12) }),
      () => ({ ...good, publicKey: otherKey.publicKeyBlobHex }),
      () => ({ ...good, hashAlgorithm: '1.2.840.113549.1.1.5' }),
      () => null,
    ];
    const clientAuth = r.pick(variants)();
    const xml = ccm.encodeHeader({ ...header, body: { type: 'ByteRange', length: packed.length, offset: 0 }, zlibCompress: true, clientAuth });
    return ccmCase('mp.signature', ccm.CCM_CONTENT_TYPE, frame(xml, packed), refuse(403, 'SUCA_ERR_WIRE_SIGNATURE'));
  });
  add('mp.unknown-endpoint', 150, (r) => {
    const { header, body } = base(r);
    const ep = r.pick(['MP_Foo', 'MP_DdrEndpoint2', 'MP_GetAuthenticator', 'MP_Relay', 'mp_policymanager', '', 'x'.repeat(1 + r.int(500)), `MP_${r.int(1e9)}`, 'MP_ClientRegistration ']);
    const h: ccm.MsgHeader = r.chance(0.5) ? { ...header, targetEndpoint: ep, targetAddress: `mp:${ep}` } : { ...header, targetEndpoint: null, targetAddress: r.pick([null, 'mp:', `mp:[http]${ep}`, 'direct:x:y']) };
    return ccmCase('mp.unknown-endpoint', ccm.CCM_CONTENT_TYPE, signed(h, body).payload);
  });
  add('mp.header-xml', 400, (r) => {
    const { header, body } = base(r);
    const packed = ccm.packBody(body);
    const clientAuth = ccm.signMessage(key, { clientId: SOURCE_ID, bodyPart: packed.compressed, authSenderMachine: 'client1.suca-fleet.test', clientIdSignature: CLIENT_ID_SIGNATURE });
    const xml = ccm.encodeHeader({ ...header, body: { type: 'ByteRange', length: packed.length, offset: 0 }, zlibCompress: true, clientAuth });
    const port = new URL(ORIGIN.mp).port;
    const variants: (() => string)[] = [
      () => removeElement(r, xml),
      () => duplicateElement(r, xml),
      () => xml.slice(0, r.int(xml.length)),
      () => flipBytes(r, Buffer.from(xml, 'latin1')).toString('latin1'),
      () => dtdPayload(r, xml.replace('<Msg ', '<Msg xmlns="x" '), port),
      () => xml.replace(/<ID>[^<]*<\/ID>/, '<ID></ID>'),
      () => xml.replace(/<ID>[^<]*<\/ID>/, ''),
      () => xml.replace(/Length="\d+"/, `Length="${packed.length + 1 + r.int(1e6)}"`),
      () => xml.replace(/Length="\d+"/, 'Length="-1"'),
      () => xml.replace(/Length="\d+"/, 'Length="99999999999999999999"'),
      () => xml.replace(/Offset="\d+"/, `Offset="${1 + r.int(1e6)}"`),
      () => xml.replace('Type="ByteRange"', 'Type="File"'),
      () => xml.replace(/<Body [^>]*\/>/, ''),
      () => xml.replace(/<ReplyMode>[^<]*<\/ReplyMode>/, '<ReplyMode>Later</ReplyMode>'),
      () => xml.replace(/<Priority>[^<]*<\/Priority>/, '<Priority>high</Priority>'),
      () => xml.replace(/<Timeout>[^<]*<\/Timeout>/, '<Timeout>-5</Timeout>'),
      () => xml.replace(/<SourceID>[^<]*<\/SourceID>/, `<SourceID>GUID:${clientGuid(sc.seed, 2)}</SourceID>`),
      () => xml.replace(/<SourceID>[^<]*<\/SourceID>/, ''),
      () => xml.replace(/<Hooks>.*<\/Hooks>/, ''),
      () => xml.replace('<Msg ', '<Message '),
      () => xml.replace('</Msg>', '</Msg><Msg/>'),
      () => xml.replace('<ID>', '<ID>&bogus;'),
      () => xml + '\u0000\u0000garbage',
      () => '<a>'.repeat(r.pick([200, 5_000, 50_000])) + xml,
      () => xml.replace(/<ReplyTo>[^<]*<\/ReplyTo>/, `<ReplyTo>${'x'.repeat(r.int(10_000))}</ReplyTo>`),
      () => xml.replace(/<CorrelationID>[^<]*<\/CorrelationID>/, '<CorrelationID><![CDATA[anything]]></CorrelationID>'),
    ];
    return ccmCase('mp.header-xml', ccm.CCM_CONTENT_TYPE, frame(r.pick(variants)(), packed));
  });
  add('mp.body-xml', 400, (r) => {
    const { header, body } = base(r);
    const port = new URL(ORIGIN.mp).port;
    const variants: (() => string)[] = [
      () => body.slice(0, r.int(body.length)),
      () => removeElement(r, body),
      () => duplicateElement(r, body),
      () => flipBytes(r, Buffer.from(body, 'latin1')).toString('latin1'),
      () => dtdPayload(r, body.replace(/^<(\w+)/, '<$1 xmlns="x"'), port),
      () => body.replace(/>([^<]+)</, '>&xxe;<'),
      () => '',
      () => 'not xml at all',
      () => '<Report/>',
      () => '<UnknownRequest><X/></UnknownRequest>',
      () => body + body,
      () => '<a>'.repeat(r.pick([200, 5_000, 50_000])) + '</a>'.repeat(200),
      () => body.replace(/(\d+)/, '$1$1$1$1$1$1$1$1$1$1$1'),
      () => body.replace(/="[^"]*"/, '="\uD800"'),
    ];
    return ccmCase('mp.body-xml', ccm.CCM_CONTENT_TYPE, signed(header, r.pick(variants)()).payload);
  });
  // topics the scenario does not model: taken whole (200), as a real MP relays every message; the oracle says valid
  add('mp.report-foreign-topics', 150, (r) => {
    const header = ccmHeader(ccm.MP_ENDPOINT.RELAY, r);
    const unknownGuid = `${(0x10000000 + r.int(0xefffffff)).toString(16)}-0000-4000-8000-${r.int(1e12).toString(16).padStart(12, '0')}`.toUpperCase();
    const variants: (() => string)[] = [
      () => reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: unknownGuid }]),
      () => reportBody(r, [{ topicType: TOPIC.CI_ENFORCEMENT, topicId: `{${unknownGuid}}` }]),
      () => reportBody(r, [{ topicType: TOPIC.UPDATE_SOURCE_SCAN, topicId: `{${unknownGuid}}` }]),
      () => reportBody(r, [{ topicType: TOPIC.ASSIGNMENT_COMPLIANCE, topicId: `{${unknownGuid}}` }]),
      () => reportBody(r, [{ topicType: r.pick([0, 1, 400, 999, 1600, -1, 2147483647]), topicId: cat.ids[0]! }]),
      () => reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: cat.ids[1]! }, { topicType: TOPIC.UPDATE_DETECTION, topicId: 'not-a-guid' }]),
      () => reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: '' }]),
    ];
    const c = ccmCase('mp.report-foreign-topics', ccm.CCM_CONTENT_TYPE, signed(header, r.pick(variants)()).payload);
    if (!c.expect.ok) throw new Error(`mp.report-foreign-topics: the oracle refuses a well-formed report (${JSON.stringify(c.expect)})`);
    return c;
  });
  add('mp.report', 150, (r) => {
    const header = ccmHeader(ccm.MP_ENDPOINT.RELAY, r);
    const unknownGuid = `${(0x10000000 + r.int(0xefffffff)).toString(16)}-0000-4000-8000-${r.int(1e12).toString(16).padStart(12, '0')}`.toUpperCase();
    const variants: (() => string)[] = [
      // ClientIDs that are no client id
      () => reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: cat.ids[2]! }], ''),
      () => reportBody(r, [], 'GUID:'),
      () => reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: cat.ids[2]! }], unknownGuid),
      () => reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: cat.ids[2]! }], `GUID:${unknownGuid.slice(0, 20)}`),
    ];
    return ccmCase('mp.report', ccm.CCM_CONTENT_TYPE, signed(header, r.pick(variants)()).payload, refuse(400));
  });
  add('mp.report-foreign-client', 100, (r) => {
    // clients the scenario does not have (a real client registered with the stub): taken and counted, not ingested
    const header = ccmHeader(ccm.MP_ENDPOINT.RELAY, r);
    const unknownGuid = `${(0x10000000 + r.int(0xefffffff)).toString(16)}-0000-4000-8000-${r.int(1e12).toString(16).padStart(12, '0')}`.toUpperCase();
    const id = r.pick([`GUID:${unknownGuid}`, `GUID:{${unknownGuid}}`, `GUID:${clientGuid(sc.seed + 1, 0)}`]);
    const c = ccmCase('mp.report-foreign-client', ccm.CCM_CONTENT_TYPE, signed(header, reportBody(r, [{ topicType: TOPIC.UPDATE_DETECTION, topicId: cat.ids[2]! }], id)).payload);
    if (!c.expect.ok) throw new Error(`mp.report-foreign-client: the oracle refuses a well-formed report (${JSON.stringify(c.expect)})`);
    return c;
  });
  add('mp.method-path', 150, (r) => {
    const { msg } = base(r);
    const method = r.pick(['POST', 'PUT', 'GET', 'DELETE', 'PATCH', 'CCM_POST', 'CCM_POST', 'OPTIONS']);
    const path = method === 'CCM_POST'
      ? r.pick(['/ccm_system/request2', '/ccm_system/', '/', '/ccm_system_foo/request', '/ccm_system/request/..', '/SMS_MP/.sms_aut?MPLIST', '/ccm_system/request%00', '/CCM_SYSTEM/REQUESTX'])
      : r.pick([ccm.CCM_REQUEST_PATH, '/ccm_system_windowsauth/request', '/ccm_system/request?x=1']);
    const noBody = method === 'GET' || method === 'OPTIONS';
    // GET /SMS_MP/.sms_aut?MPLIST via CCM_POST: not a GET, so not the document
    return { cat: 'mp.method-path', role: 'mp', method, path, headers: CCM_HEADERS(msg.contentType), ...(noBody ? {} : { body: msg.payload }), expect: refuse([404, 405]) };
  });
  add('mp.huge-body', 4, (r) => {
    const size = MAX_PAYLOAD_BYTES + 1 + r.int(4096);
    const body = Buffer.alloc(size, 0x41);
    return { cat: 'mp.huge-body', role: 'mp', method: ccm.CCM_METHOD, path: ccm.CCM_REQUEST_PATH, headers: CCM_HEADERS(ccm.CCM_CONTENT_TYPE), body, expect: refuse(413, 'SUCA_ERR_WIRE_TOO_LARGE') };
  });
  add('mp.policy-get', 500, (r) => {
    const good = r.pick(policyPaths);
    const q = good.slice(good.indexOf('?') + 1);
    const id = q.slice(0, q.indexOf('.SHA256:'));
    const hash = q.slice(q.indexOf('.SHA256:') + 8);
    const flipHash = hash.slice(0, 10) + (hash[10] === 'A' ? 'B' : 'A') + hash.slice(11);
    const variants: (() => string)[] = [
      () => '/SMS_MP/.sms_pol?',
      () => `/SMS_MP/.sms_pol?${id}`,
      () => `/SMS_MP/.sms_pol?${id}.SHA256:${flipHash}`,
      () => `/SMS_MP/.sms_pol?${id}.SHA256:${hash.slice(1)}`,
      () => `/SMS_MP/.sms_pol?${id}.SHA256:${hash}x`,
      () => `/SMS_MP/.sms_pol?{${r.int(1e9)}}.SHA256:${hash}`,
      () => `/SMS_MP/.sms_pol?${id}.2_00`,
      () => `/SMS_MP/.sms_pol?{NOPE}.2_00`,
      () => `/SMS_MP/.sms_pol?%E0%A4%A.SHA256:${hash}`,
      () => `/SMS_MP/.sms_pol?%${r.pick(['', 'G', 'zz', '0'])}`,
      () => `/SMS_MP/.sms_pol?${encodeURIComponent(`${id}.SHA256:${hash}`)}`,
      () => `/SMS_MP/.sms_pol?${'A'.repeat(1 + r.int(8000))}.SHA256:${hash}`,
      () => `/SMS_MP/.sms_pol?..%2f..%2fetc%2fpasswd.SHA256:${hash}`,
      () => `/SMS_MP/.sms_pol?${id}.SHA256:${hash}&x=1`,
      () => `/sms_mp/.SMS_POL?${id}.2_00`,
      () => `/SMS_MP/.sms_polx?${id}.2_00`,
      () => `/SMS_MP/.sms_pol?${id}.SHA256:${flipBytes(r, Buffer.from(hash)).toString('latin1').replace(/[^\x21-\x7e]/g, '%25')}`,
      () => good,
    ];
    const path = r.pick(variants)();
    const headers: Record<string, string> = { 'User-Agent': ccm.CCM_USER_AGENT, ClientToken: r.pick([TOKEN, TOKEN, '', 'GUID:nobody;x;2', 'x'.repeat(1 + r.int(4000))]) };
    const lower = path.toLowerCase();
    const expect: Expect = lower.startsWith('/sms_mp/.sms_pol?') ? policyOracle(path) : refuse(404);
    return { cat: 'mp.policy-get', role: 'mp', method: 'GET', path, headers, expect };
  });
  add('mp.sms-aut', 300, (r) => {
    const doc = r.pick(['MPLIST', 'mplist', 'MPKEYINFORMATION', 'MPCERT', 'SITESIGNCERT', 'MPLIST2', '', 'MPLIST&x=1', 'MPLIST%00', '%zz', 'x'.repeat(1 + r.int(4000)), '../../etc/passwd', 'MPLIST;MPCERT', 'NAAConfig']);
    const path = r.pick(['/SMS_MP/.sms_aut?', '/sms_mp/.SMS_AUT?', '/SMS_MP/.sms_aut/?', '/SMS_MP/.sms_aut']) + doc;
    const ok = path.toLowerCase().startsWith('/sms_mp/.sms_aut?') && ['MPLIST', 'MPKEYINFORMATION'].includes(path.slice(path.indexOf('?') + 1).toUpperCase());
    const method = r.chance(0.9) ? 'GET' : r.pick(['POST', 'HEAD']);
    return { cat: 'mp.sms-aut', role: 'mp', method, path, headers: { 'User-Agent': ccm.CCM_USER_AGENT }, ...(method === 'POST' ? { body: Buffer.from('x') } : {}), expect: ok && method === 'GET' ? valid('an .sms_aut document the MP serves') : refuse([404, 405]) };
  });
}

function defineContent(): void {
  const origin = (r: Rng): Role => (r.chance(0.75) ? 'dp' : 'wsus');
  const dpPath = (u: number) => new URL(dpContentUrl('http://x', cat, u)).pathname;
  const wsusPath = (u: number) => new URL(wsusContentUrl('http://x', cat, u)).pathname;
  add('content.traversal', 450, (r) => {
    const u = r.int(cat.size);
    const id = cat.ids[u]!;
    const sha = cat.sha1[u]!;
    const xx = sha.slice(-2);
    const file = dpPath(u).split('/').pop()!;
    const folder = `/SMS_DP_SMSPKG$/Content_${id}.1`;
    const variants = [
      `${folder}/..`, `${folder}/.`, `${folder}/%2e%2e`, `${folder}/%2E%2E`, `${folder}/..%2f..%2f..%2fetc%2fpasswd`, `${folder}/..%5c..%5cwindows%5cwin.ini`,
      `${folder}/%c0%ae%c0%ae`, `${folder}/%c0%af`, `${folder}/${file}%00.txt`, `${folder}/${file}::$DATA`, `${folder}/..\\..\\boot.ini`, `${folder}/${file}%2f..%2f..%2fx`,
      `${folder}/%252e%252e`, `${folder}/..;/x`, `${folder}/${file}/..`, `/SMS_DP_SMSPKG$/../../../etc/passwd`, `/SMS_DP_SMSPKG$/Content_${id}.1/../../../etc/passwd`,
      `/Content/${xx}/../../etc/passwd`, `/Content/${xx}/${sha}.cab/../../x`, `/Content/%2e%2e/%2e%2e/etc/passwd`, `/Content/${xx}/..%2f${sha}.cab`, `/Content/..%2f${xx}/${sha}.cab`,
      '//etc/passwd', '/..', '/%2e%2e/', '/SMS_DP_SMSPKG$/Content_../x', `/Content/${xx}/${sha}.cab%00`, `/Content/${xx}/${sha}.`, `/Content/${xx}/${sha}`, `/SMS_DP_SMSPKG$/Content_${id}.1/`,
      `/SMS_DP_SMSPKG$/Content_${id}.1/x.cab`, `/SMS_DP_SMSPKG$/Content_${id}.1/${file}.bak`, `/SMS_DP_SMSPKG$/Content_${id}.x/${file}`, `/SMS_DP_SMSPKG$/Content_${id.slice(1)}.1/${file}`,
      `/SMS_DP_SMSPKG$/Content_${id}.1/.%2e/.%2e/etc/passwd`, `/sms_dp_smspkg$/content_${id}.1/${file}/`,
    ];
    const path = r.pick(variants);
    const role = path.startsWith('/Content') ? origin(r) : r.chance(0.85) ? 'dp' : 'wsus';
    const method = r.chance(0.9) ? 'GET' : 'HEAD';
    // on the WSUS server anything but /Content/... is not a WSUS endpoint: 404 there as well
    return { cat: 'content.traversal', role, method, path, headers: {}, expect: refuse(404) };
  });
  add('content.range', 350, (r) => {
    const u = r.int(cat.size);
    const size = cat.bytes[u]!;
    const role = origin(r);
    const path = role === 'wsus' || r.chance(0.3) ? wsusPath(u) : dpPath(u);
    const n = () => String(r.pick([0, 1, size - 1, size, size + 1, r.int(size), 2 ** 53, -1]));
    const variants: (() => string)[] = [
      () => `bytes=${n()}-${n()}`,
      () => `bytes=-${n()}`,
      () => `bytes=${n()}-`,
      () => `bytes=0-1,${n()}-${n()}`,
      () => 'bytes=-',
      () => 'bytes=',
      () => `items=0-${n()}`,
      () => `bytes = 0-${n()}`,
      () => `bytes=${'9'.repeat(1 + r.int(400))}-`,
      () => `bytes=0-${'9'.repeat(1 + r.int(400))}`.replace(/-(\d{20,})$/, '-1$1'),
      () => `bytes=${n()}-${n()}-${n()}`,
      () => `bytes=0x10-0x20`,
      () => `bytes=1e3-2e3`,
      () => `bytes=--5`,
      () => `bytes=5`,
      () => 'x'.repeat(1 + r.int(4000)),
    ];
    const range = r.pick(variants)();
    return { cat: 'content.range', role, method: 'GET', path, headers: { Range: range }, expect: rangeOracle(range, size) };
  });
  add('content.method', 100, (r) => {
    const u = r.int(cat.size);
    const role = origin(r);
    const path = role === 'wsus' ? wsusPath(u) : dpPath(u);
    const method = r.pick(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE']);
    const hasBody = method !== 'OPTIONS' && method !== 'TRACE' && method !== 'PROPFIND';
    // on the WSUS server a POST to /Content/... is no WSUS endpoint (404); the DP refuses the method (405)
    return { cat: 'content.method', role, method, path, headers: {}, ...(hasBody ? { body: Buffer.from('x'.repeat(r.int(1000))) } : {}), expect: refuse([404, 405]) };
  });
}

/** What a content request with this Range header must get: 206 for one satisfiable range, else 416 (the server's rules). */
function rangeOracle(range: string, size: number): Expect {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return refuse(416);
  let start: number;
  let end = size - 1;
  if (m[1] === '') start = Math.max(0, size - Number(m[2]));
  else {
    start = Number(m[1]);
    if (m[2] !== '') end = Math.min(size - 1, Number(m[2]));
  }
  if (start > end || start >= size) return refuse(416);
  return valid('a satisfiable single range');
}

function defineUnknown(): void {
  add('unknown-path', 500, (r) => {
    const role = r.pick<Role>(['mp', 'wsus', 'dp']);
    const method = r.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']);
    const path = r.pick([
      '/', '/index.html', '/favicon.ico', '/health/x', '/healthz', '/HEALTH', '/admin', '/.env', '/.git/config', '/wp-login.php', '/server-status',
      '/ClientWebService/client.asmx/js', '/ccm_system/request/x', '/SMS_MP', '/SMS_MP/.sms_xyz?MPLIST', '/%00', '/%ff%fe', '/a%2fb', `/${'x'.repeat(1 + r.int(8000))}`,
      '/?' + 'q=1&'.repeat(1 + r.int(1000)), '/api/v1/updates', '/selfupdate/wuident.cab', '/ReportingWebService/', '/Content/', '/SMS_DP_SMSPKG$/',
    ]);
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    return { cat: 'unknown-path', role, method, path, headers: { 'Content-Type': r.pick(['text/plain', SOAP_CT, 'application/json']) }, ...(hasBody ? { body: Buffer.from('{"x":1}') } : {}), expect: refuse([404, 405]) };
  });
}

function defineRaw(): void {
  const raws: { name: string; bytes: (host: string) => Buffer; halfClose?: boolean }[] = [
    { name: 'garbage line', bytes: () => Buffer.from('GARBAGE\r\n\r\n') },
    { name: 'bad version', bytes: (h) => Buffer.from(`GET / HTTP/9.9\r\nHost: ${h}\r\n\r\n`) },
    { name: 'no version', bytes: () => Buffer.from('GET /\r\n\r\n') },
    { name: 'method only', bytes: () => Buffer.from('GET\r\n\r\n') },
    { name: 'bad method chars', bytes: (h) => Buffer.from(`G@T / HTTP/1.1\r\nHost: ${h}\r\n\r\n`) },
    { name: 'lower-case ccm_post', bytes: (h) => Buffer.from(`ccm_post /ccm_system/request HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 0\r\n\r\n`) },
    { name: 'NUL in target', bytes: (h) => Buffer.from(`GET /\u0000x HTTP/1.1\r\nHost: ${h}\r\n\r\n`, 'latin1') },
    { name: 'space in target', bytes: (h) => Buffer.from(`GET /a b HTTP/1.1\r\nHost: ${h}\r\n\r\n`) },
    { name: 'bad content-length', bytes: (h) => Buffer.from(`POST /x HTTP/1.1\r\nHost: ${h}\r\nContent-Length: abc\r\n\r\n`) },
    { name: 'negative content-length', bytes: (h) => Buffer.from(`POST /x HTTP/1.1\r\nHost: ${h}\r\nContent-Length: -1\r\n\r\n`) },
    { name: 'two content-lengths', bytes: (h) => Buffer.from(`POST /x HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`) },
    { name: 'CL and TE', bytes: (h) => Buffer.from(`POST /x HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`) },
    { name: 'bad chunk size', bytes: (h) => Buffer.from(`POST /x HTTP/1.1\r\nHost: ${h}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`) },
    { name: 'bad transfer-encoding', bytes: (h) => Buffer.from(`POST /x HTTP/1.1\r\nHost: ${h}\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n0\r\n\r\n`) },
    { name: 'header without colon', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${h}\r\nNoColonHere\r\n\r\n`) },
    { name: 'space before colon', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost : ${h}\r\n\r\n`) },
    { name: 'control char in header', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${h}\r\nX-A: a\u0001b\r\n\r\n`, 'latin1') },
    { name: 'obs-fold', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${h}\r\nX-A: a\r\n b\r\n\r\n`) },
    { name: 'bare LF', bytes: (h) => Buffer.from(`GET /nothing-here HTTP/1.1\nHost: ${h}\n\n`) },
    { name: 'bare CR', bytes: (h) => Buffer.from(`GET / HTTP/1.1\rHost: ${h}\r\r`) },
    { name: 'missing Host', bytes: () => Buffer.from('GET /nothing-here HTTP/1.1\r\n\r\n') },
    { name: 'header flood (count)', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${h}\r\n` + Array.from({ length: 3_000 }, (_, i) => `X-Flood-${i}: ${i}\r\n`).join('') + '\r\n') },
    { name: 'header flood (one huge header)', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${h}\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`) },
    { name: 'huge request line', bytes: (h) => Buffer.from(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: ${h}\r\n\r\n`) },
    { name: 'huge head without end', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${h}\r\nX-Big: ${'a'.repeat(200_000)}`), halfClose: true },
    { name: 'TLS ClientHello on plain HTTP', bytes: () => Buffer.from('16030100a5010000a10303' + '00'.repeat(32) + '000004c02fc030010000740000', 'hex') },
    { name: 'random binary', bytes: () => { const r = prng(7); return Buffer.from(Array.from({ length: 512 }, () => r.int(256))); } },
    { name: 'incomplete head', bytes: (h) => Buffer.from(`GET / HTTP/1.1\r\nHost: ${h}\r\n`), halfClose: true },
    { name: 'incomplete ccm_post line', bytes: () => Buffer.from('CCM_POST /ccm_system/request HTT'), halfClose: true },
    { name: 'ccm_post line dribbled', bytes: () => Buffer.from('CCM_POST /' + 'a'.repeat(40_000)), halfClose: true },
    { name: 'incomplete body', bytes: (h) => Buffer.from(`CCM_POST /ccm_system/request HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 100\r\n\r\nabc`), halfClose: true },
    { name: 'huge declared length', bytes: (h) => Buffer.from(`CCM_POST /ccm_system/request HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 99999999999\r\n\r\nabc`), halfClose: true },
    { name: 'ccm_post double space', bytes: (h) => Buffer.from(`CCM_POST  /ccm_system/request HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 0\r\n\r\n`) },
    { name: 'ccm_post without version', bytes: () => Buffer.from('CCM_POST /ccm_system/request\r\n\r\n') },
    { name: 'ccm_post garbage', bytes: () => Buffer.from('CCM_POST \u0000\u0001\u0002\r\n\r\n', 'latin1') },
    // blank lines before a request line are skipped (RFC 9112): only EOF, or the headers timeout, ends this one
    { name: 'only CRLFs', bytes: () => Buffer.from('\r\n'.repeat(5_000)), halfClose: true },
    { name: 'HTTP/2 preface', bytes: () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n') },
  ];
  let i = 0;
  add('raw-http', raws.length * 3, () => {
    const k = i++;
    const x = raws[k % raws.length]!;
    const role = (['mp', 'wsus', 'dp'] as const)[Math.floor(k / raws.length) % 3]!;
    return { cat: 'raw-http', role, bytes: x.bytes(new URL(ORIGIN[role]).host), halfClose: x.halfClose === true, name: x.name };
  });
}

// ---- sending -----------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly body: Buffer;
  readonly contentLength: number | null;
  readonly contentType: string;
}

async function sendHttp(c: HttpCase): Promise<Answer> {
  const body = c.body === undefined ? undefined : typeof c.body === 'function' ? c.body() : c.body;
  const res = await agent.request({
    origin: ORIGIN[c.role],
    path: c.path,
    method: c.method as 'GET',
    headers: c.headers,
    ...(body !== undefined ? { body: body as Buffer } : {}),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const buf = Buffer.from(await res.body.arrayBuffer());
  const cl = res.headers['content-length'];
  return { status: res.statusCode, body: buf, contentLength: cl === undefined ? null : Number(cl), contentType: String(res.headers['content-type'] ?? '') };
}

/** The raw answer: the bytes up to close, or up to the end of the first response; 'hang' when neither comes in time. */
function sendRaw(c: RawCase): Promise<{ data: Buffer; outcome: 'closed' | 'answered' | 'hang' | 'error' }> {
  const url = new URL(ORIGIN[c.role]);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const sock = connect(Number(url.port), url.hostname);
    const finish = (outcome: 'closed' | 'answered' | 'hang' | 'error') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), outcome });
    };
    const timer = setTimeout(() => finish('hang'), RAW_TIMEOUT_MS);
    sock.on('connect', () => {
      sock.write(c.bytes);
      if (c.halfClose) sock.end();
    });
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(all.subarray(0, headEnd).toString('latin1'));
      if (m !== null && all.length >= headEnd + 4 + Number(m[1])) finish('answered');
    });
    sock.on('close', () => finish('closed'));
    sock.on('error', () => finish(chunks.length > 0 ? 'closed' : 'error'));
  });
}

// ---- checking --------------------------------------------------------------------------------

interface Tally {
  sent: number;
  refusedAnswers: number;
  valid: number;
  byCategory: Map<string, { n: number; valid: number; statuses: Map<number | string, number> }>;
  statuses: Map<number | string, number>;
  failures: string[];
}

const tally: Tally = { sent: 0, refusedAnswers: 0, valid: 0, byCategory: new Map(), statuses: new Map(), failures: [] };

function record(category: string, status: number | string, isValid: boolean): void {
  tally.sent++;
  let c = tally.byCategory.get(category);
  if (c === undefined) tally.byCategory.set(category, (c = { n: 0, valid: 0, statuses: new Map() }));
  c.n++;
  c.statuses.set(status, (c.statuses.get(status) ?? 0) + 1);
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
  if (isValid) {
    c.valid++;
    tally.valid++;
  }
}

const failureKinds = new Map<string, number>();

function fail(c: Case, why: string): void {
  const kind = `${c.cat}: ${why.replace(/[:(].*$/s, '')}`;
  failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
  const what = isRaw(c) ? `${c.role} raw ${c.name}` : `${c.role} ${c.method} ${c.path.slice(0, 120)}`;
  if (tally.failures.length < 40) tally.failures.push(`[${c.cat}] ${what}: ${why}`);
  else tally.failures.length === 40 && tally.failures.push('... (more)');
}

const SOAP_FAULT = /<(\w+:)?Fault>/;

function checkHttp(c: HttpCase, a: Answer): void {
  const head = c.method === 'HEAD';
  const text = a.body.toString('utf8');
  const hasBody = head ? (a.contentLength ?? 0) > 0 : a.body.length > 0;
  const show = `${a.status} ${/octet-stream/.test(a.contentType) ? `<${a.body.length} bytes of content>` : JSON.stringify(text.slice(0, 160))}`;
  if (a.status >= 200 && a.status < 300) {
    record(c.cat, a.status, true);
    if (!c.expect.ok) return fail(c, `2xx on bad input (expected a refusal ${JSON.stringify(c.expect)}): ${show}`);
    return;
  }
  record(c.cat, a.status, false);
  if (a.status < 400 || a.status > 599) return fail(c, `status outside 400-599: ${show}`);
  if (!hasBody) return fail(c, `answer without a body: ${show}`);
  if (a.status >= 400 && a.status < 500) tally.refusedAnswers++;
  if (c.expect.ok) {
    // a valid request may still get a SOAP fault (a mutated cookie, say): 500 with a Fault body
    if (!(c.role === 'wsus' && a.status === 500 && SOAP_FAULT.test(text))) fail(c, `refused a valid request (${c.expect.why}): ${show}`);
    return;
  }
  if (a.status === 500) return fail(c, `500 on bad input (should be a 4xx with the reason): ${show}`);
  const want = c.expect.status;
  if (want !== undefined && !(Array.isArray(want) ? want : [want]).includes(a.status)) fail(c, `expected ${JSON.stringify(want)}${c.expect.code ? ` ${c.expect.code}` : ''}, got ${show}`);
  else if (c.expect.code !== undefined && !head && !text.includes(c.expect.code)) fail(c, `expected the body to name ${c.expect.code}: ${show}`);
  else if (a.status === 400 && !head && !/^SUCA_ERR_WIRE_[A-Z_]+: /.test(text) && !/malformed HTTP/.test(text)) fail(c, `a 400 whose body names no error code: ${show}`);
}

/** raw case -> what each server did with it */
const rawOutcomes = new Map<string, string[]>();

function checkRaw(c: RawCase, r: { data: Buffer; outcome: string }): void {
  const text = r.data.toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
  rawOutcomes.set(c.name, [...(rawOutcomes.get(c.name) ?? []), `${c.role}:${status ?? r.outcome}`]);
  record(c.cat, status === undefined ? r.outcome : Number(status), false);
  if (r.outcome === 'hang') return fail(c, `no answer and no close within ${RAW_TIMEOUT_MS} ms (got ${JSON.stringify(text.slice(0, 80))})`);
  if (r.data.length === 0) return; // closed without a word: allowed for malformed HTTP
  if (status === undefined) return fail(c, `answer is not an HTTP response: ${JSON.stringify(text.slice(0, 80))}`);
  const s = Number(status);
  if (s < 400 || s > 499) return fail(c, `expected a 4xx, got ${JSON.stringify(text.slice(0, 200))}`);
  tally.refusedAnswers++;
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  if (body.length === 0 && !/\r\ncontent-length:\s*[1-9]/i.test(text)) fail(c, `a ${s} without a body`);
}

async function runCase(c: Case): Promise<void> {
  if (isRaw(c)) return checkRaw(c, await sendRaw(c));
  let a: Answer;
  try {
    a = await sendHttp(c);
  } catch (e) {
    record(c.cat, `error:${(e as Error).name}`, false);
    return fail(c, `no answer: ${(e as Error).name} ${(e as Error).message}`);
  }
  checkHttp(c, a);
}

async function pool<T>(items: readonly T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

// ---- memory ------------------------------------------------------------------------------

function forcedGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

function heapAfterGc(gc: (() => void) | null): number {
  if (gc !== null) for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const refusedTotal = () => [servers.mp, servers.wsus!, servers.dp!].reduce((s, x) => s + [...x.stats.refused.values()].reduce((a, b) => a + b, 0), 0);
const refusedCodes = () => {
  const m = new Map<string, number>();
  for (const x of [servers.mp, servers.wsus!, servers.dp!]) for (const [k, v] of x.stats.refused) m.set(k, (m.get(k) ?? 0) + v);
  return m;
};

// ---- what the test files call ----------------------------------------------------------------

export { TOTAL_MIN, servers };

let defined = false;

/** Every case of every category, one seed each, shuffled so that every slice of a run mixes the categories. */
async function planAll(): Promise<{ readonly cat: string; readonly gen: Gen; readonly seed: number }[]> {
  await prepareWsus();
  await prepareMp();
  if (!defined) {
    defined = true;
    defineWsus();
    defineMp();
    defineContent();
    defineUnknown();
    defineRaw();
  }
  const root = prng(SEED);
  const plan: { cat: string; gen: Gen; seed: number }[] = [];
  for (const g of generators) for (let k = 0; k < g.n; k++) plan.push({ cat: g.cat, gen: g.gen, seed: (root.next() * 2 ** 32) >>> 0 });
  for (let k = plan.length - 1; k > 0; k--) {
    const j = root.int(k + 1);
    [plan[k], plan[j]] = [plan[j]!, plan[k]!];
  }
  return plan;
}

export interface FuzzRun {
  /** cases planned for the categories picked, and the categories */
  readonly planned: number;
  readonly categories: readonly string[];
  readonly ms: number;
  readonly refusedBefore: number;
  /** with warm: heap after the first `warm` cases and at the end (after a forced GC when one can be had) */
  readonly warm: number;
  readonly heapWarm: number | null;
  readonly heapEnd: number | null;
  readonly gcForced: boolean;
}

/** Sends every case of the categories `select` picks (in the plan's order) and checks each answer (the failures are collected in the tally). */
export async function fuzz(select: (category: string) => boolean, o: { readonly warm?: number } = {}): Promise<FuzzRun> {
  const t0 = performance.now();
  const plan = (await planAll()).filter((p) => select(p.cat));
  const refusedBefore = refusedTotal();
  const make = (p: (typeof plan)[number]): Case => p.gen(prng(p.seed));
  const warm = o.warm ?? 0;
  const gc = warm > 0 ? forcedGc() : null;
  await pool(plan.slice(0, warm), CONCURRENCY, (p) => runCase(make(p)));
  const heapWarm = warm > 0 ? heapAfterGc(gc) : null;
  await pool(plan.slice(warm), CONCURRENCY, (p) => runCase(make(p)));
  const heapEnd = warm > 0 ? heapAfterGc(gc) : null;
  return { planned: plan.length, categories: [...new Set(plan.map((p) => p.cat))].sort(), ms: performance.now() - t0, refusedBefore, warm, heapWarm, heapEnd, gcForced: gc !== null };
}

/** The servers' refusal counters, summed over MP, WSUS and DP, by code. */
export const refusalCodes = refusedCodes;

/** What was sent and answered, by category and status: logged with the run's figures. */
export function report(label: string, run: FuzzRun): void {
  const obj = (m: Map<string | number, number>) => JSON.stringify(Object.fromEntries([...m].sort((a, b) => String(a[0]).localeCompare(String(b[0])))));
  const mb = (b: number | null) => (b === null ? '-' : (b / 2 ** 20).toFixed(1));
  console.log(
    [
      `bad input (${label}): ${tally.sent} requests in ${(run.ms / 1000).toFixed(1)} s, ${tally.valid} valid after all (2xx)` +
        (run.heapWarm !== null ? `; heap ${mb(run.heapWarm)} MB after ${run.warm}, ${mb(run.heapEnd)} MB at the end${run.gcForced ? ' (forced GC)' : ''}` : ''),
      `statuses ${obj(tally.statuses)}`,
      ...[...tally.byCategory].sort().map(([k, v]) => `  ${k.padEnd(24)} ${String(v.n).padStart(5)} ${obj(v.statuses)}`),
      `refusals answered ${tally.refusedAnswers}, counted ${refusedTotal() - run.refusedBefore}: ${obj(refusedCodes())}`,
      ...[...rawOutcomes].map(([k, v]) => `  raw ${k.padEnd(32)} ${v.join(' ')}`),
    ].join('\n'),
  );
}

/**
 * What holds after any run: every case was sent and answered as it must be
 * (each answer's check, above), nothing escaped as a process error, every
 * refusal answered was counted, and none was an internal error.
 */
export function expectEveryAnswerRight(run: FuzzRun): { readonly sent: number; readonly valid: number; readonly codes: Map<string, number>; readonly byCategory: ReadonlyMap<string, { readonly n: number; readonly valid: number }> } {
  const codes = refusedCodes();
  expect(Object.fromEntries(failureKinds), tally.failures.join('\n')).toEqual({});
  expect(processErrors.map(String)).toEqual([]);
  expect(tally.sent).toBe(run.planned);
  expect(refusedTotal() - run.refusedBefore).toBeGreaterThanOrEqual(tally.refusedAnswers);
  expect(codes.has('internal')).toBe(false);
  return { sent: tally.sent, valid: tally.valid, codes, byCategory: tally.byCategory };
}

/** Afterwards the servers still serve: health on all three, a real GetConfig, the MP list, signed policy assignments, a DP range. */
export async function expectStillServing(): Promise<void> {
  for (const role of ['mp', 'wsus', 'dp'] as const) {
    const r = await agent.request({ origin: ORIGIN[role], path: '/health', method: 'GET' });
    expect(r.statusCode, role).toBe(200);
    expect(await r.body.json()).toMatchObject({ role, ok: true });
  }
  const gc1 = wusp.encodeRequest({ op: 'GetConfig', protocolVersion: '2.90' });
  const gcBytes = Buffer.from(gc1.body);
  const real = wusp.clientHeaders(gc1.soapAction, gcBytes.length, { msCv: 'AAAAAAAAAAAAAAAA.1.0.0.2.1' }).filter(([k]) => k !== 'Connection' && k !== 'Content-Length');
  const rc = await agent.request({ origin: ORIGIN.wsus, path: gc1.path, method: 'POST', headers: real.flat(), body: gcBytes });
  const cfg = wusp.decodeResponse('GetConfig', await rc.body.text());
  expect(rc.statusCode).toBe(200);
  expect(cfg).toMatchObject({ op: 'GetConfig', isRegistrationRequired: true });
  const ml = await agent.request({ origin: ORIGIN.mp, path: '/SMS_MP/.sms_aut?MPLIST', method: 'GET' });
  expect(ml.statusCode).toBe(200);
  expect(ccm.decodeMpList(ccm.decodeTextDocument(Buffer.from(await ml.body.arrayBuffer()))).mps.length).toBe(1);
  const pr = prng(SEED + 2);
  const msg = signed(ccmHeader(ccm.MP_ENDPOINT.POLICY_MANAGER, pr), CCM_BODIES[ccm.MP_ENDPOINT.POLICY_MANAGER]!(pr));
  const ra = await agent.request({ origin: ORIGIN.mp, path: ccm.CCM_REQUEST_PATH, method: ccm.CCM_METHOD, headers: CCM_HEADERS(msg.contentType), body: msg.payload });
  expect(ra.statusCode).toBe(200);
  expect(ccm.decodeReplyAssignments(ccm.openMessage(String(ra.headers['content-type']), Buffer.from(await ra.body.arrayBuffer())).body).assignments.length).toBeGreaterThan(1);
  const dr = await agent.request({ origin: ORIGIN.dp, path: new URL(dpContentUrl('http://x', cat, 0)).pathname, method: 'GET', headers: { Range: 'bytes=0-99' } });
  expect(dr.statusCode).toBe(206);
  expect((await dr.body.arrayBuffer()).byteLength).toBe(100);
}

/** Cases in the whole plan, every category (the original single fuzz's size). */
export async function plannedTotal(): Promise<number> {
  return (await planAll()).length;
}

/**
 * The heap does not grow with the number of requests: after the warm-up, at
 * most 2 KB a request (8 KB without a forced GC), the bound of the whole fuzz
 * before it was split (16 MB / 64 MB over the 8,000 requests after its warm-up).
 */
export function expectHeapFlat(run: FuzzRun): void {
  expect(run.heapWarm).not.toBeNull();
  const after = run.planned - run.warm;
  expect(after).toBeGreaterThan(run.warm);
  expect(run.heapEnd! - run.heapWarm!).toBeLessThan(after * (run.gcForced ? 2 : 8) * 1024);
}

/** The categories each test file runs: every category of the plan is in exactly one (test/stub-bad-input-oversized-bodies checks it). */
export const BEHAVIOURS = {
  'malformed-soap': (c: string) => c.startsWith('wsus.') && c !== 'wsus.huge-body',
  'ccm-framing': (c: string) => c.startsWith('mp.') && c !== 'mp.huge-body' && c !== 'mp.zlib-bomb',
  'oversized-bodies': (c: string) => c === 'wsus.huge-body' || c === 'mp.huge-body' || c === 'mp.zlib-bomb',
  'content-paths': (c: string) => c.startsWith('content.') || c === 'unknown-path',
  'raw-http': (c: string) => c === 'raw-http',
} as const satisfies Record<string, (category: string) => boolean>;

/** Every category of the plan and its number of cases. */
export async function planCategories(): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const p of await planAll()) m.set(p.cat, (m.get(p.cat) ?? 0) + 1);
  return m;
}
