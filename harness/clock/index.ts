// The clock a run uses, from its options.

import type { ResolvedScenario } from '../scenario/resolve.js';
import type { Clock, ClockOptions } from './clock.js';
import { scaledClock } from './scaled.js';
import { virtualClock } from './virtual.js';

export type { Clock, ClockFigures, ClockOptions, LoopContext, PendingRequests } from './clock.js';

export function createClock(sc: ResolvedScenario, o: ClockOptions, sliceMs?: number): Clock {
  return o.mode === 'scaled' ? scaledClock(sc, o) : virtualClock(sc, sliceMs);
}
