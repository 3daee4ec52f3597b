// The WUSP encoder writes a frozen array item once and reuses its encoding
// (agent/wire/wusp/schema.ts encodeFrozenItem; the stub WSUS hands every
// client the same frozen UpdateInfo of an update). What must hold: a frozen
// item encodes exactly as an unfrozen copy of it, the first time and every
// time after, whichever array it is in; an item that cannot be encoded is
// refused every time, not remembered.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WireError } from '../agent/wire/errors.js';
import { decodeResponse, encodeResponse, type WuspResponse } from '../agent/wire/wusp/codec.js';

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Text with what escaping must get right (& < > CR) more often than chance. */
const text = fc.array(fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', '"', '\r', '\n', 'é', '<Files />'), { maxLength: 10 }).map((a) => a.join(''));

const updateInfo = fc.record({
  id: fc.integer({ min: 0, max: 2147483647 }),
  deployment: fc.record({
    id: fc.integer({ min: 0, max: 2147483647 }),
    action: fc.constantFrom('Install', 'Uninstall', 'PreDeploymentCheck', 'Bundle', 'Evaluate'),
    isAssigned: fc.boolean(),
    lastChangeTime: fc.constantFrom('2026-11-01', '2025-01-31'),
    autoSelect: fc.constantFrom('0', '1'),
    autoDownload: fc.constantFrom('0', '1'),
    supersedenceBehavior: fc.constantFrom('0', '1'),
  }),
  isLeaf: fc.boolean(),
  xml: text,
});

const syncUpdates = (newUpdates: unknown[], changedUpdates: unknown[]): WuspResponse =>
  ({ op: 'SyncUpdates', newUpdates, changedUpdates, truncated: false, newCookie: { expiration: '2026-12-01T00:00:00Z', encryptedData: 'QUJD' } }) as unknown as WuspResponse;

describe('WUSP encoder: frozen items', () => {
  it('a frozen item encodes as its unfrozen copy, every time and in either array', () => {
    fc.assert(
      fc.property(fc.array(updateInfo, { minLength: 1, maxLength: 4 }), (items) => {
        const plain = encodeResponse(syncUpdates(items, items));
        const frozen = items.map((i) => deepFreeze(structuredClone(i)));
        // the first time written, then from the memo: in one array, then in the other, then in both
        expect(encodeResponse(syncUpdates(frozen, []))).toBe(encodeResponse(syncUpdates(items, [])));
        expect(encodeResponse(syncUpdates(frozen, []))).toBe(encodeResponse(syncUpdates(items, [])));
        expect(encodeResponse(syncUpdates([], frozen))).toBe(encodeResponse(syncUpdates([], items)));
        expect(encodeResponse(syncUpdates(frozen, frozen))).toBe(plain);
        expect(encodeResponse(syncUpdates(frozen.slice().reverse(), frozen))).toBe(encodeResponse(syncUpdates(items.slice().reverse(), items)));
        // and what the memo wrote reads back as the items
        const back = decodeResponse('SyncUpdates', plain) as unknown as { newUpdates: unknown[] };
        expect(back.newUpdates).toEqual(items);
      }),
      { numRuns: 100 },
    );
  });

  it('a frozen item the encoder refuses is refused every time', () => {
    const bad = deepFreeze({ id: 1, deployment: { id: 1, action: 'Install', isAssigned: true, lastChangeTime: '2026-11-01', autoSelect: '0', autoDownload: '0', supersedenceBehavior: '0' }, isLeaf: true, xml: 'a\u0001b' });
    for (let k = 0; k < 2; k++) {
      let err: unknown = null;
      try {
        encodeResponse(syncUpdates([bad], []));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WireError);
      expect((err as WireError).code).toBe('SUCA_ERR_WIRE_FIELD');
    }
  });
});
