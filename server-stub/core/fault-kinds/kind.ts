// What a fault kind is: everything one kind of scenario fault means, in one
// place. A kind names its scenario field and the field's schema, resolves the
// field to an effect, and decides what the effect does to a request: to an
// in-process exchange (the HRESULT, delay or lost answer the client sees) and
// over HTTP (a plan the HTTP servers render, never reinterpret). Adding a kind
// is one file here and one line in ./index.ts.

import type { z } from 'zod';
import type { FaultTarget } from '../config.js';

/** Value types of the scenario language a kind's field schema may use (the harness owns them). */
export interface ScenarioTerms {
  /** a duration string ("15m", "1d2h", "250ms") */
  readonly duration: z.ZodType<string>;
  /** an HRESULT string ("0x80244022") */
  readonly hresult: z.ZodType<string>;
}

/** What resolving a fault's field may use: its target, where it is, and the issue list. */
export interface ResolveContext {
  readonly target: FaultTarget;
  /** path of the fault in the scenario, e.g. "faults[3]" */
  readonly path: string;
  /** milliseconds of a duration the schema accepted */
  ms(duration: string): number;
  /** records a problem (all problems are reported at once) */
  where(path: string, message: string): void;
}

/** What an in-process client gets for a request a fault hits. */
export type InProcessOutcome =
  /** the request is not processed; the client sees this HRESULT */
  | { readonly processed: false; readonly code: number }
  /**
   * the request is processed; the answer is `delayMs` late, or never arrives
   * (dropped), or arrives after the client recovered on its own (a cookie
   * fault: counted as a recovery; `resync`: the recovery also discards the
   * client's WUA datastore, so the sync that follows is a full one:
   * ServerChanged, ConfigChanged)
   */
  | { readonly processed: true; readonly delayMs: number; readonly dropped: boolean; readonly recovered: boolean; readonly resync?: boolean;
      /** answered as accepted but the work is discarded (a lost state upload: ./lose.ts) */
      readonly lost?: boolean };

/** A failure the HTTP servers send in place of an answer. */
export type HttpFailure =
  | { readonly kind: 'status'; readonly status: number; readonly message: string }
  /** the connection is reset */
  | { readonly kind: 'reset' }
  /** no answer: the socket is held (then closed long after any client gave up) */
  | { readonly kind: 'hold' }
  /** a WSUS SOAP fault for the request's operation */
  | { readonly kind: 'soapFault'; readonly code: import('./soap-fault.js').WsusFaultCode };

/** What the HTTP servers do with a request a fault hits. */
export type HttpPlan =
  /** the fault answers instead of the server: the request is not processed */
  | { readonly processed: false; readonly fail: HttpFailure }
  /** the server does the work; its answer goes out `delayMs` late, or `fail` goes out in its place */
  | { readonly processed: true; readonly delayMs: number; readonly fail: HttpFailure | null;
      /** answered as accepted but the work is discarded (a lost state upload: ./lose.ts) */
      readonly lost?: boolean };

export interface FaultKind<K extends string = string, F extends string = string, S extends z.ZodType = z.ZodType, E extends object = object> {
  /** the effect's kind (FaultEffect['kind']) */
  readonly kind: K;
  /** the scenario field that asks for it (faults[].<field>) */
  readonly field: F;
  /** the field's schema */
  schema(t: ScenarioTerms): S;
  /** the effect's parameters from the field's value (problems go to ctx.where) */
  resolve(value: z.output<S>, ctx: ResolveContext): E;
  inProcess(effect: Readonly<E>, target: FaultTarget): InProcessOutcome;
  http(effect: Readonly<E>, target: FaultTarget): HttpPlan;
}

/** A kind, with its types inferred (a plain object would lose them). */
export function defineFaultKind<K extends string, F extends string, S extends z.ZodType, E extends object>(k: FaultKind<K, F, S, E>): FaultKind<K, F, S, E> {
  return k;
}

/** A plan for a failure that stops the request. */
export const instead = (fail: HttpFailure): HttpPlan => ({ processed: false, fail });
