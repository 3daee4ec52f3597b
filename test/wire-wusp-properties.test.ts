// Property tests (fast-check) of the MS-WUSP codec: for every request,
// response and the fault, decode(encode(x)) deep-equals x over generated
// messages; and a mutated encoding is either still a message or refused with a
// WireError that says where (never another exception).
//
// The messages are generated from the WSDL description (agent/wire/wusp/wsdl.ts)
// so that every element of every message is covered; the fixtures and
// test/wusp-optional-elements.test.ts check that description against the
// captures and the spec, independently of it.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WireError } from '../agent/wire/errors.js';
import {
  CONFIG_MAX_EXTENDED_UPDATES,
  WUSP_ERROR_CODES,
  WUSP_OPERATIONS,
  decodeFault,
  decodeRequest,
  decodeResponse,
  encodeFault,
  encodeRequest,
  encodeResponse,
  formatDateTime,
  type WuspFault,
  type WuspOperation,
} from '../agent/wire/wusp/codec.js';
import { REQUESTS, RESPONSES, WRAPPED_RESPONSES } from '../agent/wire/wusp/wsdl.js';
import type { ComplexType, FieldType, ScalarType } from '../agent/wire/wusp/schema.js';

/** Text XML 1.0 can carry, with the characters escaping must get right (& < > " CR TAB LF) more often than chance. */
const xmlChar = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', ']]>', 'é', '\u{1F600}'),
  fc.string({ unit: 'binary', maxLength: 1 }).filter((c) => /^[\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u.test(c)),
);
const xmlString = fc.array(xmlChar, { maxLength: 12 }).map((a) => a.join(''));

function scalar(t: ScalarType): fc.Arbitrary<unknown> {
  switch (t) {
    case 'string':
      return xmlString;
    case 'int':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'short':
      return fc.integer({ min: -32768, max: 32767 });
    case 'ubyte':
      return fc.integer({ min: 0, max: 255 });
    case 'long':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
    case 'bool':
    case 'boolString':
      return fc.boolean();
    case 'guid':
      return fc.uuid({ version: 4 }).chain((u) => fc.constantFrom(u, u.toUpperCase()));
    case 'dateTime':
      return fc.date({ min: new Date('1601-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => formatDateTime(d.getTime()));
    case 'base64':
      return fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64'));
    default:
      return fc.constantFrom(...t.enum);
  }
}

function value(t: FieldType): fc.Arbitrary<unknown> {
  if (typeof t === 'object' && 'kind' in t) {
    if (t.kind === 'complex') return record(t);
    if (t.kind === 'wrap') return value(t.inner.type);
    return fc.array(value(t.of), { maxLength: 3 });
  }
  return scalar(t);
}

/** A typed value of a complex type: required fields always, optional ones sometimes (no undefined-valued keys). */
function record(t: ComplexType): fc.Arbitrary<Record<string, unknown>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  const optional: string[] = [];
  for (const f of t.fields) {
    let a = value(f.type);
    if (f.nullable === true) a = fc.oneof(a, fc.constant(null));
    parts[f.key] = a;
    // a field the typed message requires (min 1, or an `absent` policy) is always generated
    if (f.min === 0 && f.absent === undefined) optional.push(f.key);
  }
  return fc.record(parts, { requiredKeys: t.fields.map((f) => f.key).filter((k) => !optional.includes(k)) }) as fc.Arbitrary<Record<string, unknown>>;
}

// Built once: fc.stringMatching parses the regex and builds its arbitrary on every call, and inside
// chain() that was once per generated message: 4.1 s of the GetAuthorizationCookie request property
// and 6.1 s of its mutation property (load ~11), against ~0.3 s for the other operations. The same
// arbitrary draws the same values, so the runs are unchanged.
const CLIENT_ID = fc.stringMatching(/^[a-z0-9-]{1,40}$/);

/** What the schema cannot say and the codec checks (spec MUSTs): generated so that they hold. */
function request(op: WuspOperation): fc.Arbitrary<Record<string, unknown>> {
  return record(REQUESTS[op]).chain((m) => {
    if (op === 'GetAuthorizationCookie') return CLIENT_ID.map((clientId) => ({ ...m, clientId }));
    if (op === 'GetCookie' && (m.authCookies as unknown[]).length === 0) {
      return (value(REQUESTS.GetCookie.fields[0]!.type) as fc.Arbitrary<unknown[]>).filter((a) => a.length > 0).map((authCookies) => ({ ...m, authCookies }));
    }
    if (op === 'GetFileLocations') {
      // spec 3.1.5.10: every digest is 20 bytes (others are InvalidParameters: test/wusp-more-operations)
      return fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { maxLength: 3 }).map((ds) => ({ ...m, fileDigests: ds.map((d) => Buffer.from(d).toString('base64')) }));
    }
    return fc.constant(m);
  });
}

function response(op: WuspOperation): fc.Arbitrary<Record<string, unknown>> {
  return record(RESPONSES[op]).map((m) => {
    const body = WRAPPED_RESPONSES.has(op) ? (m.result as Record<string, unknown>) : m;
    if (op === 'GetConfig') {
      const authInfo = (body.authInfo as unknown[]).length > 0 ? body.authInfo : [{ plugInId: 'SimpleTargeting', serviceUrl: 'x' }];
      return { ...body, authInfo, properties: [...(body.properties as unknown[]), { name: CONFIG_MAX_EXTENDED_UPDATES, value: '50' }] };
    }
    if (body.fileLocations !== undefined) {
      // a FileDigest is a 20-byte SHA-1 (the decoder refuses others)
      return { ...body, fileLocations: (body.fileLocations as Record<string, unknown>[]).map((f) => ({ ...f, fileDigest: Buffer.alloc(20, 7).toString('base64') })) };
    }
    return body;
  });
}

const RUNS = { numRuns: 150 };

describe('WUSP properties: decode(encode(x)) is x', () => {
  for (const op of WUSP_OPERATIONS) {
    it(`${op} request`, () => {
      fc.assert(
        fc.property(request(op), (m) => {
          const msg = { op, ...m } as Parameters<typeof encodeRequest>[0];
          const e = encodeRequest(msg);
          expect(decodeRequest(e.soapAction, e.path, e.body)).toEqual(msg);
        }),
        RUNS,
      );
    });
    it(`${op} response`, () => {
      fc.assert(
        fc.property(response(op), (m) => {
          const msg = { op, ...m } as Parameters<typeof encodeResponse>[0];
          expect(decodeResponse(op, encodeResponse(msg))).toEqual(msg);
        }),
        RUNS,
      );
    });
  }

  it('fault', () => {
    const fault = fc.record(
      {
        op: fc.constant('Fault' as const),
        faultCode: fc.stringMatching(/^[A-Za-z]{1,12}$/),
        faultString: xmlString,
        faultActor: xmlString,
        errorCode: fc.constantFrom(...WUSP_ERROR_CODES),
        message: xmlString,
        id: xmlString,
        method: xmlString,
      },
      { requiredKeys: ['op', 'faultCode', 'faultString'] },
    );
    fc.assert(
      fc.property(fault, (f) => {
        expect(decodeFault(encodeFault(f as WuspFault))).toEqual(f);
      }),
      RUNS,
    );
  });
});

/** A mutation of a payload: cut it, insert or delete a run, or swap a character for markup. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('<', '>', '&', '&x;', '<!DOCTYPE a>', '<!ELEMENT a ANY>', '</a>', '<a>', '"', '\u0001', 'xsi:nil="1"', '9999999999', '-', ']]>') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 20 }) }),
);

function mutate(s: string, m: { kind: string; at: number; text?: string; n?: number }): string {
  const at = m.at % (s.length + 1);
  if (m.kind === 'cut') return s.slice(0, at);
  if (m.kind === 'insert') return s.slice(0, at) + m.text + s.slice(at);
  return s.slice(0, at) + s.slice(at + (m.n ?? 1));
}

/** Decoding either gives a message or a WireError naming where; anything else fails the property. */
function decodesOrRefuses(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    expect(e.code).toMatch(/^SUCA_ERR_WIRE_/);
    expect(e.where).not.toBe('');
  }
}

describe('WUSP properties: malformed input gets a WireError with its path', () => {
  for (const op of WUSP_OPERATIONS) {
    it(`mutated ${op} requests and responses`, () => {
      fc.assert(
        fc.property(request(op), response(op), mutation, (q, a, m) => {
          const e = encodeRequest({ op, ...q } as Parameters<typeof encodeRequest>[0]);
          decodesOrRefuses(() => decodeRequest(e.soapAction, e.path, mutate(e.body, m)));
          decodesOrRefuses(() => decodeResponse(op, mutate(encodeResponse({ op, ...a } as Parameters<typeof encodeResponse>[0]), m)));
        }),
        { numRuns: 200 },
      );
    });
  }
});
