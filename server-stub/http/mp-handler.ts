// The stub MP over HTTP: CCM_POST /ccm_system/request (MP_ClientRegistration,
// MP_PolicyManager, MP_LocationManager, MP_RelayEndpoint), policy bodies by
// GET /SMS_MP/.sms_pol?..., and the unauthenticated GET /SMS_MP/.sms_aut?MPLIST
// and ?MPKEYINFORMATION. Decoding through agent/wire/ccm, answers from
// server-stub/core, faults of the scenario as real HTTP effects.

import { createHash, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StubCore } from '../core/index.js';
import type { Reply, Request } from '../../agent/core/types.js';
import { WINDOW_SLOT_BASE } from '../../agent/core/types.js';
import type { FaultTarget } from '../core/config.js';
import {
  ASYNC_REPLY,
  MP_ENDPOINT,
  POLICY_CATEGORY,
  STATE_RESYNC_POLICY_ID,
  buildMessage,
  decodeClientRegistrationRequest,
  decodeContentLocationRequest,
  decodeReport,
  decodeRequestAssignments,
  decodeWsusLocationRequest,
  encodeClientRegistrationResponse,
  encodeContentLocationReply,
  encodeMpKeyInformation,
  encodeMpList,
  encodePolicyBody,
  encodeReplyAssignments,
  encodeUtf16Document,
  encodeWsusLocationReply,
  endpointOf,
  flatFromStateReport,
  isCcmRequestPath,
  keyFingerprint,
  keyFromCertificateHex,
  openMessage,
  registrationSignedData,
  verifyClientToken,
  verifyMessage,
  verifyRegistrationData,
  parsePolicyRequestPath,
  policyLocationUrl,
  parseXml,
  refuseUndeclaredReferences,
  replyHeader,
  rootElementName,
  toIsoSeconds,
  contentUrl,
} from '../../agent/wire/ccm/index.js';
import { WireError } from '../../agent/wire/errors.js';
import { topicIndexer, UNKNOWN_TOPIC } from '../../agent/wire/topics.js';
import { ClientRegistry, isClientId } from '../core/clients.js';
import { renderFailure } from './faults.js';
import { contentIndex, type ContentIndex } from './content.js';
import { sendError, type RoleHandler } from './server.js';

/** The endpoints this MP serves (anything else is refused, and counted under one key). */
const SERVED_ENDPOINTS: ReadonlySet<string> = new Set([MP_ENDPOINT.CLIENT_REGISTRATION, MP_ENDPOINT.POLICY_MANAGER, MP_ENDPOINT.LOCATION_MANAGER, MP_ENDPOINT.RELAY, MP_ENDPOINT.DDR]);

export interface MpHandlerOptions {
  readonly core: StubCore;
  readonly clock: () => number;
  /** verify message signatures (on by default over HTTP) */
  readonly verifySignatures?: boolean;
  readonly siteCode?: string;
}

export interface MpStats {
  /** requests per endpoint / document */
  readonly endpoints: Map<string, number>;
  faults: number;
}

export function mpStats(): MpStats {
  return { endpoints: new Map(), faults: 0 };
}

export function mpHandler(o: MpHandlerOptions, stats: MpStats): RoleHandler {
  const { core } = o;
  const cat = core.catalogue;
  // built at the first content location request (most MP traffic never needs it)
  let files: ContentIndex | null = null;
  const site = o.siteCode ?? 'SUC';
  const registry = new ClientRegistry(core.cfg.seed, core.cfg.clients, core.cfg.firstClient);
  const count = (k: string) => stats.endpoints.set(k, (stats.endpoints.get(k) ?? 0) + 1);
  const verifyOn = o.verifySignatures === true;
  // The key each client registered (its signing certificate's key). A fleet
  // shares a small pool of keys, so the distinct keys are kept once and each
  // client holds the index of its key: an Int16Array for the scenario's
  // clients (2 bytes a client), a Map for clients the scenario does not know.
  const regKeys: KeyObject[] = [];
  const regKeyIndex = new Map<string, number>();
  const keyOfKnown = new Int16Array(Math.max(0, core.cfg.clients)).fill(-1);
  const keyOfOther = new Map<number, number>();
  const rememberKey = (client: number, key: KeyObject): void => {
    const fp = keyFingerprint(key);
    let k = regKeyIndex.get(fp);
    if (k === undefined) {
      if (regKeys.length >= 0x7fff) return; // not a fleet's pool: keep the first 32767 keys only
      k = regKeys.length;
      regKeys.push(key);
      regKeyIndex.set(fp, k);
    }
    if (registry.known(client)) keyOfKnown[client - registry.firstClient] = k;
    else if (keyOfOther.size < 100_000) keyOfOther.set(client, k);
  };
  const registeredKey = (client: number): KeyObject | undefined => {
    const k = registry.known(client) ? keyOfKnown[client - registry.firstClient]! : (keyOfOther.get(client) ?? -1);
    return k < 0 ? undefined : regKeys[k];
  };
  /**
   * A signature that does not verify. What a real MP answers is not public
   * (its logs say the message was refused; the public tools only report that
   * no reply came): we answer 403 with the code, counted under it.
   */
  const signatureRefused = (res: ServerResponse, ctx: { refuse(reason: string): void }, err: WireError): void => {
    ctx.refuse(err.code);
    sendError(res, 403, `${err.code}: ${err.message} (${err.where})`);
  };
  const depById = new Map(core.mp.deployments.map((d) => [d.id.toUpperCase(), d.index]));
  // topic ids on the wire -> the core's topic indices
  const topicIndexOf = topicIndexer({ updateIds: cat.ids, deploymentIds: core.mp.deployments.map((d) => d.id), updateSourceId: cat.updateSourceId });

  const windowById = new Map(core.mp.windows.map((w, k) => [w.policy.id.toUpperCase(), k]));
  /** policy id -> the assignment slot it is (settings: 0, deployment d: d + 1, window k: WINDOW_SLOT_BASE + k) */
  const slotOfPolicy = (policyId: string): number => {
    if (policyId === '{SUCA-SETTINGS}') return 0;
    const d = depById.get(policyId.toUpperCase());
    if (d !== undefined) return d + 1;
    const k = windowById.get(policyId.toUpperCase());
    return k === undefined ? -1 : WINDOW_SLOT_BASE + k;
  };
  // A body depends only on (slot, version): encoded and hashed once, not on
  // every poll (every client polls hourly, and each ReplyAssignments names
  // the SHA-256 of each body it lists).
  const bodies = new Map<string, { xml: string; hash: string } | null>();
  const updateGuidOf = (u: number): string => cat.ids[u]!;
  const policyBody = (slot: number, version: number): { xml: string; hash: string } | null => {
    const key = `${slot}:${version}`;
    let b = bodies.get(key);
    if (b === undefined) {
      const r = core.mp.bodyOf({ id: '', version, slot });
      if (r.kind !== 'policy.body') b = null;
      else {
        const policyId = slot === 0 ? '{SUCA-SETTINGS}' : r.window !== undefined ? r.window.id : core.mp.deployments[slot - 1]!.id;
        const base = { policyId, policyVersion: version, policySource: `SMS:${site}` };
        const xml = r.settings !== undefined
          ? encodePolicyBody({ kind: 'settings', ...base, settings: r.settings }, updateGuidOf)
          : r.window !== undefined
            ? encodePolicyBody({ kind: 'window', ...base, window: r.window }, updateGuidOf)
            : encodePolicyBody({ kind: 'deployment', ...base, deployment: r.deployment! }, updateGuidOf);
        b = { xml, hash: createHash('sha256').update(encodeUtf16Document(xml)).digest('hex').toUpperCase() };
      }
      bodies.set(key, b);
    }
    return b;
  };

  /**
   * A typed request through the core with the scenario's faults for `target`:
   * null when a fault already answered (status, reset, dropped answer),
   * otherwise the reply and how late it must go out (a delay fault).
   */
  const typed = (req: Request, target: FaultTarget, op: string, t: number, httpReq: IncomingMessage, res: ServerResponse): { reply: Reply; delayMs: number } | null => {
    // the core plans the fault (server-stub/core/fault-kinds/); this only renders the plan
    const plan = core.planHttp(target, op, t, req.client);
    if (plan === null) return { reply: core.answer(req, t), delayMs: 0 };
    stats.faults++;
    if (!plan.processed) {
      renderFailure(httpReq, res, plan.fail);
      return null;
    }
    // delayed and dropped answers: the MP did the work all the same; a lost upload is answered and discarded
    const reply = plan.lost === true && req.kind === 'state.report' ? core.mp.lost() : core.answer(req, t);
    if (plan.fail !== null) {
      renderFailure(httpReq, res, plan.fail);
      return null;
    }
    return { reply, delayMs: plan.delayMs };
  };

  /** Sends now, or `delayMs` later. */
  const respond = (delayMs: number, send: () => void): void => {
    if (delayMs > 0) setTimeout(send, delayMs).unref();
    else send();
  };

  const replyMessage = (res: ServerResponse, reqHeader: Parameters<typeof replyHeader>[0], body: string, delayMs = 0) =>
    respond(delayMs, () => {
      const m = buildMessage({ header: replyHeader(reqHeader, { id: `{${cryptoId()}}`, mpHost: 'mp.suca-fleet.test', sentTime: toIsoSeconds(o.clock()) }), body });
      res.writeHead(200, { 'Content-Type': m.contentType, 'Content-Length': m.payload.length });
      res.end(m.payload);
    });

  return (req: IncomingMessage, res: ServerResponse, body: Buffer, ctx) => {
    const url = req.url ?? '/';
    const t = o.clock();
    if (req.method === 'GET' && url.toLowerCase().startsWith('/sms_mp/.sms_aut?')) {
      const what = url.slice(url.indexOf('?') + 1).toUpperCase();
      // counted by document served: a key per query a client makes up would grow without bound
      count(what === 'MPLIST' || what === 'MPKEYINFORMATION' ? `GET .sms_aut?${what}` : 'GET .sms_aut?(other)');
      if (what === 'MPLIST') return sendXml(res, encodeMpList({ mps: [{ name: 'MP.SUCA-FLEET.TEST', fqdn: 'mp.suca-fleet.test', version: '9132', sslState: 0 }] }));
      if (what === 'MPKEYINFORMATION') return sendXml(res, encodeMpKeyInformation({ fqdn: 'mp.suca-fleet.test', siteCode: site, key: null }));
      ctx.refuse('not-found');
      return sendError(res, 404, `.sms_aut?${what}: this stub serves MPLIST and MPKEYINFORMATION`);
    }
    if (req.method === 'GET' && url.toLowerCase().startsWith('/sms_mp/.sms_pol?')) {
      count('GET .sms_pol');
      const p = parsePolicyRequestPath(url);
      const slot = slotOfPolicy(p.policyId);
      if (slot < 0) {
        ctx.refuse('not-found');
        return sendError(res, 404, `policy ${p.policyId}: no such policy`);
      }
      const token = String(req.headers.clienttoken ?? '');
      const client = registry.indexOf(token.split(';')[0] ?? '');
      // ClientToken 'GUID:<id>;<time>;2' signed with the key the client
      // registered. The public tools send the pair for secret policies
      // (PolicyFlags 2/4) and GET the others bare: a GET without
      // ClientTokenSignature is served (our policies are not secret), a
      // signature that is there must verify.
      const tokenSig = req.headers.clienttokensignature;
      if (verifyOn && tokenSig !== undefined) {
        try {
          if (!/^GUID:[^;]+;[^;]+;2$/i.test(token)) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `ClientToken ${JSON.stringify(token.slice(0, 80))} is not GUID:<id>;<time>;2`, 'ClientToken');
          const key = registeredKey(client);
          if (key === undefined) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'the client of this ClientToken has not registered a key', 'ClientTokenSignature');
          verifyClientToken(key, token, String(tokenSig));
        } catch (err) {
          if (err instanceof WireError) return signatureRefused(res, ctx, err);
          throw err;
        }
      }
      const version = core.mp.assignmentsAt(client, t).assignments.find((a) => a.slot === slot)?.version ?? 1;
      const r = typed({ kind: 'policy.body', client, assignment: { id: p.policyId, version, slot } }, 'mp.policy', 'PolicyBody', t, req, res);
      if (r === null) return;
      const b = policyBody(slot, version);
      if (b === null) return sendError(res, 404, `policy ${p.policyId}: no such policy`);
      if (p.hash !== null && p.hash !== b.hash) {
        ctx.refuse('policy-hash');
        return sendError(res, 404, `policy ${p.policyId}: no body with hash ${p.hash}`);
      }
      const doc = encodeUtf16Document(b.xml);
      return respond(r.delayMs, () => {
        res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-16', 'Content-Length': doc.length });
        res.end(doc);
      });
    }
    if (!isCcmRequestPath(url)) {
      ctx.refuse('not-found');
      return sendError(res, 404, `${url}: not an MP endpoint (/ccm_system/request, /SMS_MP/.sms_pol?..., /SMS_MP/.sms_aut?MPLIST)`);
    }
    if (req.method !== 'POST' || req.headers['x-ccm-method'] !== 'CCM_POST') {
      ctx.refuse('method');
      return sendError(res, 405, `${req.headers['x-ccm-method'] ?? req.method} ${url}: the MP takes CCM_POST`);
    }
    const m = openMessage(String(req.headers['content-type'] ?? ''), body);
    const endpoint = endpointOf(m.header) ?? '';
    const client = registry.indexOf(m.header.sourceId ?? '');
    // Registration carries no clientauth hook (the client has no registered
    // key yet): its own SignatureValue is checked below. Every other message
    // must carry a hook that verifies, with the registered key when the client
    // registered one (PublicKey as a PUBLICKEYBLOB or a certificate).
    if (verifyOn && endpoint !== MP_ENDPOINT.CLIENT_REGISTRATION) {
      try {
        verifyMessage(m.header, m.bodyPart, registeredKey(client));
      } catch (err) {
        if (err instanceof WireError && err.code === 'SUCA_ERR_WIRE_SIGNATURE') return signatureRefused(res, ctx, err);
        throw err;
      }
    }
    // '&xxe;' is refused wherever it is, not only in the values the body decoders read
    refuseUndeclaredReferences(m.body, 'part 2 (body)');
    count(SERVED_ENDPOINTS.has(endpoint) ? endpoint : '(other endpoint)');
    switch (endpoint) {
      case MP_ENDPOINT.CLIENT_REGISTRATION: {
        const r = decodeClientRegistrationRequest(m.body);
        const smsId = r.data.smsId || `GUID:${cryptoId()}`;
        // SignatureValue: RSA SHA-256 over UTF-16LE of the <Data> text exactly
        // as received, bytes reversed, checked with the key of the signing certificate
        if (verifyOn) {
          try {
            const where = 'ClientRegistrationRequest/Data/Certificates/Signing';
            if (r.data.signingCertificate === '') throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'no signing certificate', where);
            const key = keyFromCertificateHex(r.data.signingCertificate, where);
            if (r.signature === '' || !verifyRegistrationData(key, registrationSignedData(m.body), r.signature)) {
              throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'SignatureValue does not verify with the signing certificate', 'ClientRegistrationRequest/Signature/SignatureValue');
            }
            rememberKey(registry.indexOf(smsId), key);
          } catch (err) {
            if (err instanceof WireError && err.code === 'SUCA_ERR_WIRE_SIGNATURE') return signatureRefused(res, ctx, err);
            throw err;
          }
        }
        return replyMessage(res, m.header, encodeClientRegistrationResponse({ smsId, status: 0, timeStamp: toIsoSeconds(t) }));
      }
      case MP_ENDPOINT.POLICY_MANAGER: {
        const ra = decodeRequestAssignments(m.body);
        const c = registry.indexOf(ra.clientId);
        const r = typed({ kind: 'policy.assignments', client: c, knownVersion: Number(ra.serverCookie) || 0 }, 'mp.policy', 'RequestAssignments', t, req, res);
        if (r === null) return;
        if (r.reply.kind !== 'policy.assignments') return sendError(res, 500, 'policy unavailable');
        const assignments = r.reply.assignments.map((a) => {
          return {
            assignmentId: `{${a.id.replace(/[{}]/g, '')}}_${a.slot}`,
            // no SucaSlot: the agent maps policies by PolicyID and category, as with a real MP
            slot: null,
            policyId: a.id,
            policyVersion: a.version,
            policyType: 'Machine',
            policyCategory: a.slot === 0 ? POLICY_CATEGORY.SETTINGS : a.slot >= WINDOW_SLOT_BASE ? POLICY_CATEGORY.SERVICE_WINDOW : POLICY_CATEGORY.DEPLOYMENT as string,
            policyFlags: 0,
            policyLocation: policyLocationUrl(a.id, policyBody(a.slot, a.version)!.hash),
          };
        });
        const resync = r.reply.resync ?? 0;
        if (resync > 0) {
          assignments.push({
            assignmentId: `${STATE_RESYNC_POLICY_ID}_${resync}`, slot: null, policyId: STATE_RESYNC_POLICY_ID, policyVersion: resync,
            policyType: 'Machine', policyCategory: POLICY_CATEGORY.STATE_RESYNC, policyFlags: 0,
            policyLocation: `http://<mp>/SMS_MP/.sms_pol?${STATE_RESYNC_POLICY_ID}.${resync}`,
          });
        }
        return replyMessage(res, m.header, encodeReplyAssignments({ clientId: ra.clientId, policySource: `SMS:${site}`, resourceType: 'Machine', serverCookie: String(r.reply.version), assignments }), r.delayMs);
      }
      case MP_ENDPOINT.LOCATION_MANAGER: {
        // by the root element, past a declaration or comments (rootElementName), as a real MP parses it
        if (rootElementName(m.body) === 'WSUSLocationRequest') {
          const wl = decodeWsusLocationRequest(m.body);
          const r = typed({ kind: 'location.wsus', client, contentId: wl.contentId.replace(/^\{|\}$/g, ''), contentVersion: wl.contentVersion }, 'mp.location', 'WSUSLocationRequest', t, req, res);
          if (r === null) return;
          const sups = r.reply.kind === 'location.wsus' ? r.reply.sups : [];
          // Version: the update source version the SUPs serve (raised by catalogue syncs)
          const version = r.reply.kind === 'location.wsus' ? (r.reply.version ?? cat.updateSourceVersion) : cat.updateSourceVersion;
          return replyMessage(res, m.header, encodeWsusLocationReply({ sites: [{ siteCode: site, records: sups.map((u) => ({ wsusUrl: u, serverName: new URL(u).hostname, version })) }] }), r.delayMs);
        }
        const cl = decodeContentLocationRequest(m.body);
        const guid = cl.packageId.replace(/^UID:Content_/i, '');
        // the update whose content the Package ID names ("UID:Content_<guid>"); another id names none (-1: the DPs)
        const first = (files ??= contentIndex(cat)).byContentId.get(guid.toUpperCase()) ?? -1;
        const r = typed({ kind: 'location.content', client, updates: first >= 0 ? [first] : [] }, 'mp.location', 'ContentLocationRequest', t, req, res);
        if (r === null) return;
        const dps = r.reply.kind === 'location.content' ? r.reply.dps : [];
        return replyMessage(res, m.header, encodeContentLocationReply({
          sites: [{ siteCode: site, records: dps.map((dp) => ({ url: contentUrl(`${dp.replace(/\/$/, '')}/SMS_DP_SMSPKG$`, guid, cl.version), signatureUrl: null, serverName: new URL(dp).hostname, dpType: 'SERVER', locality: 'LOCAL', version: '9132' })) }],
        }), r.delayMs);
      }
      case MP_ENDPOINT.RELAY: {
        const report = decodeReport(m.body);
        const c = registry.indexOf(report.machine.clientId);
        if (!registry.known(c)) {
          if (!isClientId(report.machine.clientId)) {
            throw new WireError('SUCA_ERR_WIRE_FIELD', `"${report.machine.clientId.slice(0, 60)}" is not a client id (GUID:<guid>)`, 'Report/ReportHeader/Identification/Machine/ClientID');
          }
          // A client the scenario does not have (a real one, registered with this MP): a real MP
          // relays its messages like any other's, so it is answered as accepted, with its
          // signatures checked above, and counted; the MP's views are sized to the scenario, so
          // nothing is ingested and no scenario fault applies
          core.mp.counters.stateMessagesForeignClient += report.messages.length;
          res.writeHead(ASYNC_REPLY.status, ASYNC_REPLY.headers);
          res.end();
          return;
        }
        // topics the scenario does not model (400, 701, 1600, a foreign update ...) are taken and counted, as a real MP takes them
        const flat = flatFromStateReport(report, topicIndexOf, UNKNOWN_TOPIC);
        const r = typed({ kind: 'state.report', client: c, msgs: flat }, 'mp.state', 'Report', t, req, res);
        if (r === null) return;
        if (r.reply.kind === 'error') return sendError(res, 503, 'state messages refused');
        return respond(r.delayMs, () => {
          res.writeHead(ASYNC_REPLY.status, ASYNC_REPLY.headers);
          res.end();
        });
      }
      case MP_ENDPOINT.DDR: {
        // A discovery data record (the client's heartbeat): a real MP takes it asynchronously and
        // hands it to the site. The stub models no discovery: a well-formed body is taken and
        // counted under its endpoint (suca_stub_mp_requests_total), nothing more.
        parseXml(m.body, 'part 2 (DDR body)');
        res.writeHead(ASYNC_REPLY.status, ASYNC_REPLY.headers);
        res.end();
        return;
      }
      default:
        throw new WireError('SUCA_ERR_WIRE_OPERATION', `endpoint "${endpoint}" is not served by this MP`, 'Msg/TargetEndpoint');
    }
  };
}

function sendXml(res: ServerResponse, xml: string): void {
  const b = Buffer.from(xml, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': b.length });
  res.end(b);
}

let idCounter = 0;
function cryptoId(): string {
  const n = (++idCounter).toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${n}`.toUpperCase();
}
