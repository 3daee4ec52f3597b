// The fault kinds a scenario can ask for. The scenario schema, the resolver,
// StubCore and the HTTP servers all read this list: a new kind is one file
// (see ./kind.ts) and one line here.

import type { z } from 'zod';
import type { FaultTarget } from '../config.js';
import type { FaultKind, HttpPlan, InProcessOutcome, ResolveContext, ScenarioTerms } from './kind.js';
import { hresultFault } from './hresult.js';
import { statusFault } from './status.js';
import { delayFault } from './delay.js';
import { resetFault } from './reset.js';
import { soapFaultFault } from './soap-fault.js';
import { dropFault } from './drop.js';
import { loseFault } from './lose.js';

/** Registration: order is the order of the fields in the schema and in messages. */
export const FAULT_KINDS = [hresultFault, statusFault, delayFault, resetFault, soapFaultFault, dropFault, loseFault] as const;

type Kinds = (typeof FAULT_KINDS)[number];
type EffectOf<T> = T extends FaultKind<infer K, string, z.ZodType, infer E> ? Readonly<{ kind: K } & E> : never;

/** What a fault does to a request it hits: one of the kinds' effects. */
export type FaultEffect = EffectOf<Kinds>;

/** The scenario fields of the kinds, as zod schemas (one optional field per kind). */
export type FaultEffectFields = { [K in Kinds as K['field']]: z.ZodOptional<ReturnType<K['schema']>> };

export type { HttpFailure, HttpPlan, InProcessOutcome, ResolveContext, ScenarioTerms } from './kind.js';
export { WSUS_FAULT_CODES, type WsusFaultCode } from './soap-fault.js';

type AnyKind = FaultKind<string, string, z.ZodType, object>;
const BY_KIND = new Map<string, AnyKind>(FAULT_KINDS.map((k) => [k.kind, k as unknown as AnyKind]));

const kindOf = (e: FaultEffect): AnyKind => BY_KIND.get(e.kind)!;

/** The kinds' fields for the scenario's fault schema. */
export function faultEffectFields(t: ScenarioTerms): FaultEffectFields {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k.field, k.schema(t).optional()])) as FaultEffectFields;
}

const FIELDS = FAULT_KINDS.map((k) => k.field);
const FIELD_LIST = `${FIELDS.slice(0, -1).join(', ')} or ${FIELDS[FIELDS.length - 1]}`;

/**
 * The effect a scenario fault asks for: exactly one of the kinds' fields must
 * be given. Problems go to ctx.where; the result is then null or meaningless
 * (the scenario is refused as a whole).
 */
export function resolveFaultEffect(fault: Readonly<Record<string, unknown>>, ctx: ResolveContext): FaultEffect | null {
  const given = FAULT_KINDS.filter((k) => fault[k.field] !== undefined);
  if (given.length !== 1) {
    ctx.where(ctx.path, `needs exactly one effect (${FIELD_LIST}); it has ${given.length === 0 ? 'none' : given.map((k) => k.field).join(', ')}`);
    return null;
  }
  const k = given[0]! as unknown as AnyKind;
  return { kind: k.kind, ...k.resolve(fault[k.field], ctx) } as FaultEffect;
}

/** What an in-process client gets for a request the fault hits. */
export function inProcessOutcome(e: FaultEffect, target: FaultTarget): InProcessOutcome {
  return kindOf(e).inProcess(e, target);
}

/** What the HTTP servers do with a request the fault hits. */
export function httpPlan(e: FaultEffect, target: FaultTarget): HttpPlan {
  return kindOf(e).http(e, target);
}
