// Public surface of the pure core.
export * from './types.js';
export * from './constants.js';
export * from './state.js';
export { initClient, nextDue, onWake, onReply } from './agent.js';
export { SCAN_RULES, scanIsOnline } from './scan-rules.js';
export { queueState, sendStates, onStateReply, serialsOf, nextStateBoundary } from './statemsg.js';
export { addToCache } from './cache.js';
export * from './prng.js';
export * from './machine.js';
