// The WireError a codec call throws, for the wire tests of both codecs (CCM and
// WUSP) and the XML layer under them: one copy, not one per fixture helper.

import { expect } from 'vitest';
import { WireError, type WireErrorCode } from '../../agent/wire/errors.js';

/** The WireError `fn` throws (fails the test when it throws nothing; rethrows anything else). */
export function wireError(fn: () => unknown): WireError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('expected a WireError, nothing was thrown');
}

/** The WireError `fn` throws, checked for its code and (a string: exactly; a RegExp: matching) where it points. */
export function expectWire(fn: () => unknown, code: WireErrorCode, where?: string | RegExp): WireError {
  const e = wireError(fn);
  expect(e.code).toBe(code);
  if (typeof where === 'string') expect(e.where).toBe(where);
  else if (where !== undefined) expect(e.where).toMatch(where);
  return e;
}
