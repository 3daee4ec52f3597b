// `lose: true` (target mp.state only): a lost upload. The MP answers the
// report as accepted (the client marks its messages sent) and never ingests
// it: the serials it carried leave a gap at the site, which the site repairs
// with a resync once the gap is older than Min Missing Message Age
// (server-stub/core/resync.ts). Models an SMX file lost between MP_Relay and
// StateSys, or a corrupt one StateSys discards.

import { z } from 'zod';
import { defineFaultKind } from './kind.js';

export const loseFault = defineFaultKind({
  kind: 'lose',
  field: 'lose',
  schema: () => z.literal(true),
  resolve: (_v, ctx) => {
    if (ctx.target !== 'mp.state') ctx.where(`${ctx.path}.lose`, 'only applies to target "mp.state" (a lost state-message upload)');
    return {};
  },
  inProcess: () => ({ processed: true, delayMs: 0, dropped: false, recovered: false, lost: true }),
  http: () => ({ processed: true, delayMs: 0, fail: null, lost: true }),
});
