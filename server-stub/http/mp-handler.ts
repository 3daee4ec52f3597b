// The stub MP over HTTP: CCM_POST /ccm_system/request (MP_ClientRegistration,
// MP_PolicyManager, MP_LocationManager, MP_RelayEndpoint), policy bodies by
// GET /SMS_MP/.sms_pol?..., and the unauthenticated GET /SMS_MP/.sms_aut?MPLIST
// and ?MPKEYINFORMATION. Decoding through agent/wire/ccm, answers from
// server-stub/core, faults of the scenario as real HTTP effects.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StubCore } from '../core/index.js';
import type { Reply, Request } from '../../agent/core/types.js';
import type { FaultTarget } from '../core/config.js';
import {
  ASYNC_REPLY,
  MP_ENDPOINT,
  POLICY_CATEGORY,
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
  openMessage,
  parsePolicyRequestPath,
  policyLocationUrl,
  refuseUndeclaredReferences,
  replyHeader,
  toIsoSeconds,
  contentUrl,
} from '../../agent/wire/ccm/index.js';
import { WireError } from '../../agent/wire/errors.js';
import { topicIndexer } from '../../agent/wire/topics.js';
import { ClientRegistry } from '../core/clients.js';
import { renderFailure } from './faults.js';
import { sendError, type RoleHandler } from './server.js';

/** The endpoints this MP serves (anything else is refused, and counted under one key). */
const SERVED_ENDPOINTS: ReadonlySet<string> = new Set([MP_ENDPOINT.CLIENT_REGISTRATION, MP_ENDPOINT.POLICY_MANAGER, MP_ENDPOINT.LOCATION_MANAGER, MP_ENDPOINT.RELAY]);

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
  const site = o.siteCode ?? 'SUC';
  const registry = new ClientRegistry(core.cfg.seed, core.cfg.clients, core.cfg.firstClient);
  const count = (k: string) => stats.endpoints.set(k, (stats.endpoints.get(k) ?? 0) + 1);
  const depById = new Map(core.mp.deployments.map((d) => [d.id.toUpperCase(), d.index]));
  // topic ids on the wire -> the core's topic indices
  const topicIndexOf = topicIndexer({ updateIds: cat.ids, deploymentIds: core.mp.deployments.map((d) => d.id), updateSourceId: cat.updateSourceId });

  /** policy id -> the assignment slot it is (settings: 0, deployment d: d + 1) */
  const slotOfPolicy = (policyId: string): number => {
    if (policyId === '{SUCA-SETTINGS}') return 0;
    const d = depById.get(policyId.toUpperCase());
    return d === undefined ? -1 : d + 1;
  };
  // A body depends only on (slot, version): encoded and hashed once, not on
  // every poll (every client polls hourly, and each ReplyAssignments names
  // the SHA-256 of each body it lists).
  const bodies = new Map<string, { xml: string; hash: string } | null>();
  const policyBody = (slot: number, version: number): { xml: string; hash: string } | null => {
    const key = `${slot}:${version}`;
    let b = bodies.get(key);
    if (b === undefined) {
      const r = core.mp.bodyOf({ id: '', version, slot });
      if (r.kind !== 'policy.body') b = null;
      else {
        const policyId = slot === 0 ? '{SUCA-SETTINGS}' : core.mp.deployments[slot - 1]!.id;
        const xml = r.settings !== undefined
          ? encodePolicyBody({ kind: 'settings', policyId, policyVersion: version, policySource: `SMS:${site}`, settings: r.settings })
          : encodePolicyBody({ kind: 'deployment', policyId, policyVersion: version, policySource: `SMS:${site}`, deployment: r.deployment! });
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
    // delayed and dropped answers: the MP did the work all the same
    const reply = core.answer(req, t);
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
    const m = openMessage(String(req.headers['content-type'] ?? ''), body, { verify: o.verifySignatures === true });
    // '&xxe;' is refused wherever it is, not only in the values the body decoders read
    refuseUndeclaredReferences(m.body, 'part 2 (body)');
    const endpoint = endpointOf(m.header) ?? '';
    count(SERVED_ENDPOINTS.has(endpoint) ? endpoint : '(other endpoint)');
    const client = registry.indexOf(m.header.sourceId ?? '');
    switch (endpoint) {
      case MP_ENDPOINT.CLIENT_REGISTRATION: {
        const r = decodeClientRegistrationRequest(m.body);
        return replyMessage(res, m.header, encodeClientRegistrationResponse({ smsId: r.data.smsId || `GUID:${cryptoId()}`, status: 0, timeStamp: toIsoSeconds(t) }));
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
            slot: a.slot,
            policyId: a.id,
            policyVersion: a.version,
            policyType: 'Machine',
            policyCategory: a.slot === 0 ? POLICY_CATEGORY.SETTINGS : POLICY_CATEGORY.DEPLOYMENT,
            policyFlags: 0,
            policyLocation: policyLocationUrl(a.id, policyBody(a.slot, a.version)!.hash),
          };
        });
        return replyMessage(res, m.header, encodeReplyAssignments({ clientId: ra.clientId, policySource: `SMS:${site}`, resourceType: 'Machine', serverCookie: String(r.reply.version), assignments }), r.delayMs);
      }
      case MP_ENDPOINT.LOCATION_MANAGER: {
        if (/^\s*<WSUSLocationRequest/i.test(m.body)) {
          const wl = decodeWsusLocationRequest(m.body);
          const r = typed({ kind: 'location.wsus', client, contentId: wl.contentId.replace(/^\{|\}$/g, ''), contentVersion: wl.contentVersion }, 'mp.location', 'WSUSLocationRequest', t, req, res);
          if (r === null) return;
          const sups = r.reply.kind === 'location.wsus' ? r.reply.sups : [];
          return replyMessage(res, m.header, encodeWsusLocationReply({ sites: [{ siteCode: site, records: sups.map((u) => ({ wsusUrl: u, serverName: new URL(u).hostname, version: cat.updateSourceVersion })) }] }), r.delayMs);
        }
        const cl = decodeContentLocationRequest(m.body);
        const r = typed({ kind: 'location.content', client, updates: [] }, 'mp.location', 'ContentLocationRequest', t, req, res);
        if (r === null) return;
        const dps = r.reply.kind === 'location.content' ? r.reply.dps : [];
        const guid = cl.packageId.replace(/^UID:Content_/i, '');
        return replyMessage(res, m.header, encodeContentLocationReply({
          sites: [{ siteCode: site, records: dps.map((dp) => ({ url: contentUrl(`${dp.replace(/\/$/, '')}/SMS_DP_SMSPKG$`, guid, cl.version), signatureUrl: null, serverName: new URL(dp).hostname, dpType: 'SERVER', locality: 'LOCAL', version: '9132' })) }],
        }), r.delayMs);
      }
      case MP_ENDPOINT.RELAY: {
        const report = decodeReport(m.body);
        const c = registry.indexOf(report.machine.clientId);
        if (!registry.known(c)) {
          ctx.refuse('unknown-client');
          return sendError(res, 403, `state messages from ${report.machine.clientId}: not a client of this scenario`);
        }
        const flat = flatFromStateReport(report, topicIndexOf);
        const r = typed({ kind: 'state.report', client: c, msgs: flat }, 'mp.state', 'Report', t, req, res);
        if (r === null) return;
        if (r.reply.kind === 'error') return sendError(res, 503, 'state messages refused');
        return respond(r.delayMs, () => {
          res.writeHead(ASYNC_REPLY.status, ASYNC_REPLY.headers);
          res.end();
        });
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
