// The DP role (and WSUS's /Content): content GET/HEAD with Range.

import type { StubCore } from '../core/index.js';
import { contentIndex, resolveContentPath, serveContent, type ContentStats } from './content.js';
import { sendError, type RoleHandler } from './server.js';

export function contentHandler(core: StubCore, stats: ContentStats): RoleHandler {
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
    serveContent(req, res, core.catalogue.bytes[u]!, stats, ctx.refuse);
  };
}
