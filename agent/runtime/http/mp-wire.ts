// The agent's MP side over HTTP: typed requests of the core as CCM messages
// (agent/wire/ccm), sent with the method CCM_POST to /ccm_system/request,
// signed (RSA PKCS#1 v1.5 SHA-256, a key shared from a small pool: signing
// costs ~1 ms) unless signing is off; policy bodies by GET on the location
// the assignment names. A client registers (MP_ClientRegistration) before its
// first other message, as ccmexec does; that step is the transport's, the
// core never sees it.

import { createHash, randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { fetchWhole, splitUrl } from './fetch.js';
import type { ClientSettings, Reply, Request } from '../../core/types.js';
import { HR } from '../../core/constants.js';
import {
  CCM_METHOD,
  CCM_REQUEST_PATH,
  CCM_USER_AGENT,
  MP_ENDPOINT,
  POLICY_CATEGORY,
  buildMessage,
  clientToken,
  contentUrls,
  decodeClientRegistrationResponse,
  decodePolicyBody,
  decodeReplyAssignments,
  decodeTextDocument,
  decodeWsusLocationReply,
  decodeContentLocationReply,
  encodeClientRegistrationRequest,
  encodeRegistrationData,
  signRegistrationData,
  encodeContentLocationRequest,
  encodeRequestAssignments,
  encodeWsusLocationRequest,
  openMessage,
  requestHeader,
  resolvePolicyLocation,
  signClientToken,
  stateReportFromFlat,
  scanParamsToWire,
  encodeReport,
  toIsoSeconds,
  wsusUrls,
  type ClientKey,
  type EncodedMessage,
  type KeyPool,
  type PolicyBody,
} from '../../wire/ccm/index.js';
import { hresultForError, hresultForStatus } from '../../wire/hresult.js';
import { WireError } from '../../wire/errors.js';
import type { MpWire } from './transport.js';

export interface MpWireOptions {
  /** client index -> GUID (no braces) */
  readonly clientGuid: (idx: number) => string;
  /** (topic type, topic index) -> Topic ID on the wire: agent/wire/topics.ts topicIdOf over the run's ids */
  readonly topicIdOf: (topicType: number, topic: number) => string;
  readonly updateSourceId: string;
  /** the content id a download of these updates asks the location of */
  readonly contentIdOf: (update: number) => string;
  readonly now: () => number;
  /** null: messages go unsigned */
  readonly keys: KeyPool | null;
  readonly siteCode?: string;
  /** update GUID (lower-case, no braces) -> catalogue index (AssignedCIs name updates by GUID) */
  readonly updateIndexOf?: (guid: string) => number | undefined;
  /**
   * What the scenario says of a deployment ID: its index and its users'
   * install fraction (not policy: the scenario's model of users). Undefined
   * for a deployment it does not know (a real MP's): a new index, fraction 0.
   */
  readonly scenarioDeployment?: (id: string) => { readonly index: number; readonly userInstallFraction: number } | undefined;
  /** the first slot free for deployments the scenario does not know (default 1) */
  readonly firstFreeSlot?: number;
  /** settings a policy body does not carry (a real MP sends none of the SUCA_ properties) */
  readonly settingsDefaults?: ClientSettings;
}

export class CcmMpWire implements MpWire {
  private readonly registered = new Set<number>();
  /** PolicyID -> slot, for MPs that do not say (a real MP) */
  private readonly slots = new Map<string, number>();
  private readonly siteCode: string;

  constructor(private readonly o: MpWireOptions) {
    this.siteCode = o.siteCode ?? 'SUC';
  }

  async exchange(req: Exclude<Request, { kind: 'wsus.scan' | 'dp.download' }>, mpUrl: string, d: Dispatcher, timeoutMs: number): Promise<Reply> {
    try {
      if (!this.registered.has(req.client)) {
        const code = await this.register(req.client, mpUrl, d, timeoutMs);
        if (code !== 0) return { kind: 'error', req: req.kind, code };
        this.registered.add(req.client);
      }
      switch (req.kind) {
        case 'policy.assignments': {
          const guid = this.o.clientGuid(req.client);
          const body = encodeRequestAssignments({
            clientId: `GUID:${guid}`,
            fqdn: `client${req.client}.suca-fleet.test`,
            netbiosName: `CLIENT${req.client}`,
            policySource: `SMS:${this.siteCode}`,
            resourceType: 'Machine',
            requestType: 'Always',
            ack: true,
            serverCookie: req.knownVersion === 0 ? '' : String(req.knownVersion),
          });
          const reply = await this.post(req.client, MP_ENDPOINT.POLICY_MANAGER, body, mpUrl, d, timeoutMs);
          if (typeof reply === 'number') return { kind: 'error', req: req.kind, code: reply };
          const all = decodeReplyAssignments(reply);
          // the site's state-resync request (policy.ts STATE_RESYNC_POLICY_ID) is no policy to fetch
          let resync = 0;
          for (const a of all.assignments) if (a.policyCategory === POLICY_CATEGORY.STATE_RESYNC) resync = Math.max(resync, a.policyVersion);
          const r = resync === 0 ? all : { ...all, assignments: all.assignments.filter((a) => a.policyCategory !== POLICY_CATEGORY.STATE_RESYNC) };
          const assignments = r.assignments.map((a) => ({
            id: a.policyId,
            version: a.policyVersion,
            slot: a.slot ?? this.slotOf(a.policyId, a.policyCategory),
            location: a.policyLocation,
          }));
          const version = /^\d+$/.test(r.serverCookie) ? Number(r.serverCookie) : hashVersion(assignments.map((a) => `${a.id}:${a.version}`).join('|'));
          const deploymentIds = r.assignments.filter((a) => a.policyCategory === POLICY_CATEGORY.DEPLOYMENT).map((a) => a.policyId);
          this.locations.set(req.client, new Map(assignments.map((a) => [a.slot, a.location])));
          const out = { kind: 'policy.assignments' as const, version, assignments: assignments.map(({ id, version: v, slot }) => ({ id, version: v, slot })), deploymentIds };
          return resync === 0 ? out : { ...out, resync };
        }
        case 'policy.body': {
          const loc = this.locations.get(req.client)?.get(req.assignment.slot);
          if (loc === undefined) return { kind: 'error', req: req.kind, code: HR.PT_HTTP_STATUS_NOT_MAPPED };
          const mp = new URL(mpUrl);
          const url = resolvePolicyLocation(loc, mp.host).replace(/^http:/, mp.protocol);
          const guid = this.o.clientGuid(req.client);
          const key = this.key(req.client);
          const token = clientToken(`GUID:${guid}`, toIsoSeconds(this.o.now()));
          const headers: Record<string, string> = { 'User-Agent': CCM_USER_AGENT, ClientToken: token };
          if (key !== null) headers.ClientTokenSignature = signClientToken(key, token);
          const res = await fetchWhole(d, { ...splitUrl(url), method: 'GET', headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
          const buf = res.body;
          if (res.status !== 200) return { kind: 'error', req: req.kind, code: hresultForStatus(res.status) };
          // Every client of a fleet downloads the same few bodies: parsed once per
          // distinct body (by its SHA-256) and slot, shared read-only like the
          // in-process stub's objects. Measured: the real instance form of a
          // 50-update deployment (24 KB) parses in ~560 us, its SHA-256 ~15 us.
          const cacheKey = `${req.assignment.slot}:${createHash('sha256').update(buf).digest('base64')}`;
          let b = this.bodyCache.get(cacheKey);
          if (b === undefined) {
            b = decodePolicyBody(decodeTextDocument(buf), {
              updateIndexOf: this.o.updateIndexOf ?? (() => undefined),
              fallbackIndex: req.assignment.slot - 1,
              ...(this.o.scenarioDeployment !== undefined ? { scenarioDeployment: this.o.scenarioDeployment } : {}),
              ...(this.o.settingsDefaults !== undefined ? { settingsDefaults: this.o.settingsDefaults } : {}),
            });
            if (this.bodyCache.size >= 1024) this.bodyCache.clear(); // a real site's bodies vary more than a scenario's
            this.bodyCache.set(cacheKey, b);
          }
          // a CCM_ServiceWindow body goes to the core as the window it is, whatever slot its policy got
          return b.kind === 'settings'
            ? { kind: 'policy.body', slot: req.assignment.slot, version: b.policyVersion, settings: b.settings }
            : b.kind === 'window'
              ? { kind: 'policy.body', slot: req.assignment.slot, version: b.policyVersion, window: b.window }
              : { kind: 'policy.body', slot: req.assignment.slot, version: b.policyVersion, deployment: b.deployment };
        }
        case 'location.wsus': {
          const body = encodeWsusLocationRequest({
            contentId: req.contentId.startsWith('{') ? req.contentId : `{${req.contentId}}`,
            contentVersion: req.contentVersion,
            siteCode: this.siteCode,
            onInternet: false,
            location: this.location(req.client),
          });
          const reply = await this.post(req.client, MP_ENDPOINT.LOCATION_MANAGER, body, mpUrl, d, timeoutMs);
          if (typeof reply === 'number') return { kind: 'error', req: req.kind, code: reply };
          const loc = decodeWsusLocationReply(reply);
          // the highest Version of the records: the update source version the SUPs serve (1: the first)
          let version = 0;
          for (const site of loc.sites) for (const rec of site.records) if (rec.version > version) version = rec.version;
          const sups = wsusUrls(loc);
          return version > 1 ? { kind: 'location.wsus', sups, version } : { kind: 'location.wsus', sups };
        }
        case 'location.content': {
          const body = encodeContentLocationRequest({
            packageId: `UID:Content_${this.o.contentIdOf(req.updates[0] ?? 0)}`,
            version: 1,
            siteCode: this.siteCode,
            locationType: 'SMSUpdate',
            location: this.location(req.client),
          });
          const reply = await this.post(req.client, MP_ENDPOINT.LOCATION_MANAGER, body, mpUrl, d, timeoutMs);
          if (typeof reply === 'number') return { kind: 'error', req: req.kind, code: reply };
          // the DPs' origins: the transport builds each update's content URL on them
          const dps = [...new Set(contentUrls(decodeContentLocationReply(reply)).map((u) => new URL(u).origin))];
          return { kind: 'location.content', dps };
        }
        case 'state.report': {
          const reply = await this.send(this.stateReportMessage(req, mpUrl), mpUrl, d, timeoutMs);
          if (typeof reply === 'number') return { kind: 'error', req: req.kind, code: reply };
          return { kind: 'state.report' };
        }
      }
    } catch (err) {
      if (err instanceof WireError) return { kind: 'error', req: req.kind, code: HR.PT_SOAPCLIENT_PARSE };
      const code = hresultForError(err);
      if (code !== 0) return { kind: 'error', req: req.kind, code };
      throw err;
    }
  }

  private readonly locations = new Map<number, Map<number, string>>();
  /** decoded policy bodies by slot and SHA-256 of the bytes received */
  private readonly bodyCache = new Map<string, PolicyBody>();

  private slotOf(policyId: string, category: string): number {
    if (category === POLICY_CATEGORY.SETTINGS) return 0;
    const known = this.o.scenarioDeployment?.(policyId);
    if (known !== undefined) return known.index + 1;
    let s = this.slots.get(policyId);
    if (s === undefined) {
      s = this.slots.size + (this.o.firstFreeSlot ?? 1);
      this.slots.set(policyId, s);
    }
    return s;
  }

  private key(client: number): ClientKey | null {
    return this.o.keys === null ? null : this.o.keys.forClient(client);
  }

  private location(client: number) {
    return { adSite: 'Default-First-Site-Name', forest: 'suca-fleet.test', domain: 'suca-fleet.test', ipAddresses: [{ subnetAddress: '10.0.0.0', address: `10.0.${(client >> 8) & 255}.${client & 255}` }] };
  }

  /** Registers a client; 0, or the HRESULT of the failure. */
  private async register(client: number, mpUrl: string, d: Dispatcher, timeoutMs: number): Promise<number> {
    const guid = this.o.clientGuid(client);
    const key = this.key(client);
    // As ccmsetup sends it (the public tools copy it): the key's self-signed
    // certificate as both the signing and the encryption certificate,
    // SignatureValue over UTF-16LE of the <Data> text, and no clientauth hook.
    const cert = key === null ? '' : key.certificateHex;
    const data = {
      hashAlgorithm: '1.2.840.113549.1.1.11',
      smsId: `GUID:${guid}`,
      requestType: 'Registration',
      timeStamp: toIsoSeconds(this.o.now()),
      agentIdentity: 'CCMSetup.exe',
      agentVersion: '5.00.9132.1000',
      agentType: 0,
      encryptionCertificate: cert,
      signingCertificate: cert,
      netbiosName: `CLIENT${client}`,
      fqdn: `client${client}.suca-fleet.test`,
      localeId: 1033,
      internetFlag: 0,
    };
    const body = encodeClientRegistrationRequest({ data, signature: key === null ? '' : signRegistrationData(key, encodeRegistrationData(data)) });
    const reply = await this.post(client, MP_ENDPOINT.CLIENT_REGISTRATION, body, mpUrl, d, timeoutMs, [], false);
    if (typeof reply === 'number') return reply;
    const r = decodeClientRegistrationResponse(reply);
    // a refused registration: ccmexec keeps retrying; the request fails like an access denial
    return r.status === 0 ? 0 : 0x80244017;
  }

  /**
   * The CCM message of a state report, exactly as exchange() posts it (the
   * uploads bench sends the same bytes with autocannon: bench/wire.ts).
   */
  stateReportMessage(req: Extract<Request, { kind: 'state.report' }>, mpUrl: string): EncodedMessage {
    const guid = this.o.clientGuid(req.client);
    const report = stateReportFromFlat({
      machine: { clientInstalled: 1, clientType: 1, clientId: `GUID:${guid}`, clientVersion: '5.00.9132.1000', netbiosName: `CLIENT${req.client}`, codePage: 437, systemDefaultLcid: 1033, priority: 5 },
      date: this.o.now(),
      msgs: req.msgs,
      topicIdOf: this.o.topicIdOf,
      paramsOf: (type, _state, _topic, param) => scanParamsToWire(type, param),
    });
    return this.frame(req.client, MP_ENDPOINT.RELAY, encodeReport(report), mpUrl, [{ name: 'FileType', value: 'SMX' }]);
  }

  /** One CCM_POST; the reply body, or the HRESULT of a failure. */
  private post(
    client: number,
    endpoint: string,
    body: string,
    mpUrl: string,
    d: Dispatcher,
    timeoutMs: number,
    properties: { name: string; value: string }[] = [],
    hook = true,
  ): Promise<string | number> {
    return this.send(this.frame(client, endpoint, body, mpUrl, properties, hook), mpUrl, d, timeoutMs);
  }

  private hostUrl = '';
  private host = '';
  /** the MP's host name (one URL per run: parsed once) */
  private hostOf(mpUrl: string): string {
    if (mpUrl !== this.hostUrl) {
      this.host = new URL(mpUrl).hostname;
      this.hostUrl = mpUrl;
    }
    return this.host;
  }

  /** The framed (and, with a key, signed) message of a body to an endpoint. */
  private frame(client: number, endpoint: string, body: string, mpUrl: string, properties: { name: string; value: string }[], hook = true): EncodedMessage {
    const guid = this.o.clientGuid(client);
    const mpHost = this.hostOf(mpUrl);
    const header = requestHeader({
      id: `{${randomUUID().toUpperCase()}}`,
      endpoint,
      clientHost: `client${client}.suca-fleet.test`,
      mpHost,
      sourceId: `GUID:${guid}`,
      sentTime: toIsoSeconds(this.o.now()),
      replyMode: endpoint === MP_ENDPOINT.RELAY ? 'Async' : 'Sync',
      properties,
    });
    const key = hook ? this.key(client) : null;
    // zlib level 1: a load generator's CPU is the budget; the MP reads any level
    // (profiled: deflate was the largest single cost of an upload on the client)
    return buildMessage({ header, body, level: 1, ...(key !== null ? { signer: { key } } : {}) });
  }

  /** Posts a framed message; the reply body, or the HRESULT of a failure. */
  private async send(msg: EncodedMessage, mpUrl: string, d: Dispatcher, timeoutMs: number): Promise<string | number> {
    const { origin, path } = splitUrl(mpUrl.replace(/\/$/, '') + CCM_REQUEST_PATH);
    const res = await fetchWhole(d, {
      origin,
      path,
      method: CCM_METHOD,
      headers: { 'Content-Type': msg.contentType, 'User-Agent': CCM_USER_AGENT },
      body: msg.payload,
      // undici closes the connection after a body sent with a method it does not
      // know to carry one (measured: a new TCP connection per CCM_POST); keep it
      reset: false,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.status !== 200) return hresultForStatus(res.status);
    if (res.body.length === 0) return ''; // asynchronous endpoint: accepted, no reply
    const opened = openMessage(String(res.headers['content-type'] ?? ''), res.body);
    return opened.body;
  }
}

function hashVersion(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
