// The clock a run uses, from its part of the plan.

import type { ClockPlan } from '../plan.js';
import type { Clock } from './clock.js';
import { scaledClock } from './scaled.js';
import { virtualClock } from './virtual.js';

export type { Clock, ClockFigures, ClockOptions, LoopContext, PendingRequests } from './clock.js';

export function createClock(p: ClockPlan): Clock {
  return p.mode === 'scaled' ? scaledClock(p) : virtualClock(p);
}
