// The DP role (and WSUS's /Content): content GET/HEAD with Range. With a
// clock (the DP role), the scenario's `dp` faults apply, as the core plans them.

import type { StubCore } from '../core/index.js';
import { contentIndex, resolveContentPath, serveContent, type ContentStats } from './content.js';
import { sendPlanned } from './faults.js';
import { sendError, type RoleHandler } from './server.js';

/**
 * `clock` (simulated time now): apply the scenario's `dp` faults; without one (WSUS's /Content)
 * none apply. `dp`: this DP's URL as the MP lists it, for the faults that name one DP.
 */
export function contentHandler(core: StubCore, stats: ContentStats, clock?: () => number, dp: string | null = null): RoleHandler {
  const index = contentIndex(core.catalogue);
  return (req, res, _body, ctx) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      ctx.refuse('method');
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, `${req.method} is not served here: content takes GET or HEAD`);
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const u = resolveContentPath(index, path);
    if (u < 0) {
      stats.notFound++;
      ctx.refuse('not-found');
      return sendError(res, 404, u === -1 ? `${path}: not a content path (SMS_DP_SMSPKG$/Content_{GUID}.1/file or /Content/XX/SHA1.ext)` : `${path}: no such content`);
    }
    // a content request names no client (BITS sends no identity): the fault's rate picks whole seconds
    const plan = clock === undefined ? null : core.planHttp('dp', req.method, clock(), -1, dp);
    // the DP role's figures (results' work.dpDownloads / dpBytes and dps): a request, a faulted one, a file a GET
    // was served and its bytes (in-process a download is one request for a deployment's files; over HTTP the agent
    // GETs each file). WSUS's /Content (no clock) is not a DP's.
    const role = clock !== undefined && dp !== null;
    if (role) {
      core.dp.requested(dp);
      if (plan !== null) core.dp.faulted(dp, false);
    }
    sendPlanned(req, res, plan, () => {
      const before = stats.bytes;
      serveContent(req, res, core.catalogue.bytes[u]!, stats, ctx.refuse);
      if (role && stats.bytes > before) core.dp.served(dp, stats.bytes - before);
    });
  };
}
