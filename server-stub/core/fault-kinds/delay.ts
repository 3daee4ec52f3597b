// `delay`: the server does the work and answers this much later; past the
// client's request timeout the client times out first.

import { z } from 'zod';
import { defineFaultKind } from './kind.js';

export const delayFault = defineFaultKind({
  kind: 'delay',
  field: 'delay',
  schema: (t): z.ZodType<string> => t.duration,
  resolve: (v, ctx) => ({ ms: ctx.ms(v) }),
  inProcess: (e) => ({ processed: true, delayMs: e.ms, dropped: false, recovered: false }),
  http: (e) => ({ processed: true, delayMs: e.ms, fail: null }),
});
