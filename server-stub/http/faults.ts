// Scenario faults over HTTP: renders the plan StubCore made for a request
// (server-stub/core/fault-kinds/ decide what each kind does; nothing here
// knows the kinds). One renderer for the MP, WSUS and DP servers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpFailure, HttpPlan } from '../core/index.js';
import { FAULT_HTTP_STATUS, encodeFault, makeFault, type WuspOperation } from '../../agent/wire/wusp/codec.js';
import { sendError } from './server.js';

/** How long a held (never answered) request keeps its socket before the stub closes it (the client gave up long before). */
const DROP_HOLD_MS = 5 * 60_000;

/** Sends a failure in place of the answer. `operation`: the WSUS operation a SOAP fault is for. */
export function renderFailure(req: IncomingMessage, res: ServerResponse, fail: HttpFailure, operation?: WuspOperation): void {
  switch (fail.kind) {
    case 'status':
      return sendError(res, fail.status, fail.message);
    case 'reset':
      req.socket.destroy();
      return;
    case 'hold': {
      const timer = setTimeout(() => req.socket.destroy(), DROP_HOLD_MS);
      timer.unref();
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'soapFault': {
      const body = Buffer.from(encodeFault(makeFault(fail.code, { ...(operation !== undefined ? { operation } : {}), message: `injected fault ${fail.code}` })), 'utf8');
      res.writeHead(FAULT_HTTP_STATUS, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'private' });
      res.end(body);
      return;
    }
  }
}

/**
 * Sends a processed request's answer as planned: `send` now (no fault), or
 * the plan's delay later, or the plan's failure in its place. A plan that is
 * not processed is rendered by renderFailure before any work is done.
 */
export function sendPlanned(req: IncomingMessage, res: ServerResponse, plan: HttpPlan | null, send: () => void, operation?: WuspOperation): void {
  if (plan === null) return send();
  if (plan.fail !== null) return renderFailure(req, res, plan.fail, operation);
  if (plan.processed && plan.delayMs > 0) setTimeout(send, plan.delayMs).unref();
  else send();
}
