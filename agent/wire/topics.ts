// State-message topics, one place for both sides: the agent's topic (type +
// index: an update, a deployment, the update source) <-> the Topic ID and
// IDType on the wire. Used by the agent's MP client (through the run), the
// trace, the stub MP's ingest and the Report codec (IDType).

import { TOPIC } from '../core/constants.js';

/** What a topic index names, per topic type. */
export type TopicSubject = 'update' | 'deployment' | 'updateSource';

/** 500 and 402 name an update, 501 the update source, the assignment topics (300/301/302) a deployment. */
export function topicSubjectOf(topicType: number): TopicSubject {
  if (topicType === TOPIC.UPDATE_DETECTION || topicType === TOPIC.CI_ENFORCEMENT) return 'update';
  if (topicType === TOPIC.UPDATE_SOURCE_SCAN) return 'updateSource';
  return 'deployment';
}

/**
 * IDType per topic type. Public: 3 for a 500 (update) topic (KB example).
 * Not public for the others: 3 for the other per-update topic (402), 0 for
 * assignment (300/301/302) and update-source (501) topics. Lenient on read.
 */
export function topicIdTypeOf(topicType: number): number {
  return topicSubjectOf(topicType) === 'update' ? 3 : 0;
}

/** The ids topics are named by. */
export interface TopicNames {
  /** update index -> update GUID */
  updateId(idx: number): string;
  /** deployment index -> deployment (assignment) id, "{GUID}" */
  deploymentId(idx: number): string;
  /** the update source id, "{GUID}" */
  readonly updateSourceId: string;
}

/** The Topic ID of (topic type, topic index): on the wire and in the trace alike. */
export function topicIdOf(names: TopicNames, topicType: number, topic: number): string {
  switch (topicSubjectOf(topicType)) {
    case 'update':
      return names.updateId(topic);
    case 'updateSource':
      return names.updateSourceId;
    case 'deployment':
      return names.deploymentId(topic);
  }
}

/**
 * The topic index a receiver gives a message whose topic it does not model
 * (a topic type other than 300/301/302/402/500/501, or an id outside the
 * scenario): above every update, deployment and update-source index. A real
 * MP relays every state message to StateSys; the stub keeps the message's
 * serial (so no gap opens) and counts it, and changes no state for it.
 */
export const UNKNOWN_TOPIC = 0xffff_ffff;

/** Comparison form of an id: upper case, no braces, no surrounding space. */
const keyOf = (id: string): string => id.trim().toUpperCase().replace(/^\{|\}$/g, '');

/**
 * The reverse of topicIdOf, for a receiver (the stub MP): (topic type, Topic
 * ID) -> topic index, or undefined for a topic it does not know. Ids compare
 * case-insensitively, with or without braces. Built once; a lookup is one
 * string normalisation and one Map get.
 */
export function topicIndexer(ids: { readonly updateIds: readonly string[]; readonly deploymentIds: readonly string[]; readonly updateSourceId: string }): (topicType: number, topicId: string) => number | undefined {
  const updates = new Map(ids.updateIds.map((id, u) => [keyOf(id), u]));
  const deployments = new Map(ids.deploymentIds.map((id, d) => [keyOf(id), d]));
  const source = keyOf(ids.updateSourceId);
  return (topicType, topicId) => {
    const k = keyOf(topicId);
    switch (topicSubjectOf(topicType)) {
      case 'update':
        return updates.get(k);
      case 'updateSource':
        return k === source ? 0 : undefined;
      case 'deployment':
        return deployments.get(k);
    }
  };
}
