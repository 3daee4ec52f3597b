// State-message topics <-> Topic IDs (agent/wire/topics.ts), as the agent's
// MP client writes them and the stub MP reads them back.

import { describe, expect, it } from 'vitest';
import { topicIdOf, topicIdTypeOf, topicIndexer } from '../agent/wire/topics.js';

// ids written out here, in the forms the wire carries them (update GUIDs bare, the others braced)
const updateIds = ['5b7f3b3e-1c1a-4c5e-9d52-0d6e7f6a0001', 'A1B2C3D4-0000-4000-8000-00000000ABCD', '0f0e0d0c-0b0a-4908-8706-050403020100'];
const deploymentIds = ['{11111111-2222-4333-8444-555555555555}', '{66666666-7777-4888-9999-AAAAAAAAAAAA}'];
const source = '9e8d7c6b-5a49-4837-a261-504f3e2d1c0b';
const names = { updateId: (u: number) => updateIds[u]!, deploymentId: (d: number) => deploymentIds[d]!, updateSourceId: `{${source}}` };
const indexOf = topicIndexer({ updateIds, deploymentIds, updateSourceId: source });

describe('topic ids', () => {
  it('name updates for 500 and 402, the update source for 501, deployments for 300/301/302', () => {
    expect(topicIdOf(names, 500, 1)).toBe(updateIds[1]);
    expect(topicIdOf(names, 402, 2)).toBe(updateIds[2]);
    expect(topicIdOf(names, 501, 0)).toBe(`{${source}}`);
    for (const t of [300, 301, 302]) expect(topicIdOf(names, t, 1)).toBe(deploymentIds[1]);
    expect([300, 301, 302, 402, 500, 501].map(topicIdTypeOf)).toEqual([0, 0, 0, 3, 3, 0]);
  });

  it('read back to the same topic, whatever the case and braces of the id', () => {
    const cases: [number, number][] = [];
    for (const t of [500, 402]) for (let u = 0; u < updateIds.length; u++) cases.push([t, u]);
    for (const t of [300, 301, 302]) for (let d = 0; d < deploymentIds.length; d++) cases.push([t, d]);
    cases.push([501, 0]);
    const forms = (id: string) => {
      const bare = id.replace(/[{}]/g, '');
      return [id, bare, `{${bare}}`, bare.toLowerCase(), `{${bare.toUpperCase()}}`, ` ${id} `];
    };
    for (const [t, i] of cases) for (const id of forms(topicIdOf(names, t, i))) expect(indexOf(t, id), `${t} ${id}`).toBe(i);
  });

  it('an id the receiver does not know, or of another topic kind, is no topic', () => {
    expect(indexOf(500, '{00000000-0000-4000-8000-000000000000}')).toBeUndefined();
    expect(indexOf(500, deploymentIds[0]!)).toBeUndefined();
    expect(indexOf(300, updateIds[0]!)).toBeUndefined();
    expect(indexOf(501, updateIds[0]!)).toBeUndefined();
    expect(indexOf(501, '')).toBeUndefined();
  });
});
