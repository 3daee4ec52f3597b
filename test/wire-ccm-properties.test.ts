// Property tests (fast-check) of the CCM codecs: decode(encode(x)) is x for
// generated bodies and <Msg> headers (decode of each fixture re-encoded with
// generated values), and every mutated fixture either decodes or is refused
// with a WireError that names where.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { WireError } from '../agent/wire/errors.js';
import {
  decodeClientRegistrationRequest, decodeClientRegistrationResponse, decodeContentLocationReply, decodeContentLocationRequest, decodeHeader,
  decodeMpKeyInformation, decodeMpList, decodePolicyBody, decodeReplyAssignments, decodeReport, decodeRequestAssignments,
  decodeWsusLocationReply, decodeWsusLocationRequest, encodeClientRegistrationResponse, encodeHeader, encodeMpKeyInformation, encodeMpList,
} from '../agent/wire/ccm/index.js';

const fx = (name: string): string => readFileSync(new URL(`./fixtures/ccm/${name}`, import.meta.url), 'utf8').replace(/\n$/, '');

/** XML-carriable text with the characters escaping must get right. */
const xmlChar = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', ']]>', 'é', '\u{1F600}'),
  fc.string({ unit: 'binary', maxLength: 1 }).filter((c) => /^[\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u.test(c)),
);
const text = fc.array(xmlChar, { maxLength: 12 }).map((a) => a.join(''));
/** Element text the decoders trim (MPKEYINFORMATION, Version): no surrounding whitespace. */
const trimmed = text.map((s) => s.trim());

describe('CCM properties: decode(encode(x)) is x', () => {
  it('MPList', () => {
    const entry = fc.record({ name: text, fqdn: fc.option(text), version: fc.option(trimmed), sslState: fc.option(fc.integer({ min: -2147483648, max: 2147483647 })) });
    fc.assert(fc.property(fc.array(entry, { maxLength: 4 }), (mps) => {
      expect(decodeMpList(encodeMpList({ mps }))).toEqual({ mps });
    }), { numRuns: 200 });
  });

  it('MPKEYINFORMATION', () => {
    fc.assert(
      fc.property(fc.record({ fqdn: trimmed, siteCode: trimmed, key: fc.option(trimmed) }), (k) => {
        expect(decodeMpKeyInformation(encodeMpKeyInformation(k))).toEqual(k);
      }),
      { numRuns: 200 },
    );
  });

  it('ClientRegistrationResponse', () => {
    const r = fc.record({ smsId: text, status: fc.integer({ min: -2147483648, max: 2147483647 }), timeStamp: fc.option(text) });
    fc.assert(fc.property(r, (x) => {
      expect(decodeClientRegistrationResponse(encodeClientRegistrationResponse(x))).toEqual(x);
    }), { numRuns: 200 });
  });

  it('<Msg> header: a decoded fixture with generated values', () => {
    const base = decodeHeader(fx('msg-header-policy.xml'));
    const h = fc.record({
      id: fc.uuid().map((u) => `{${u.toUpperCase()}}`),
      // header values are read trimmed, and an empty element as absent
      sourceId: fc.option(trimmed.filter((t) => t !== '')),
      targetAddress: fc.option(trimmed.filter((t) => t !== '')),
      correlationId: fc.option(trimmed.filter((t) => t !== '')),
      body: fc.record({ type: fc.constant('ByteRange'), length: fc.nat(), offset: fc.nat() }),
    });
    fc.assert(
      fc.property(h, (v) => {
        const x = { ...base, ...v };
        expect(decodeHeader(encodeHeader(x))).toEqual(x);
      }),
      { numRuns: 200 },
    );
  });
});

const DECODERS: readonly [string, (xml: string) => unknown][] = [
  ['client-registration-request.xml', decodeClientRegistrationRequest],
  ['client-registration-response.xml', decodeClientRegistrationResponse],
  ['content-location-reply.xml', decodeContentLocationReply],
  ['content-location-request.xml', decodeContentLocationRequest],
  ['mpkeyinformation.xml', decodeMpKeyInformation],
  ['mplist.xml', decodeMpList],
  ['msg-header-policy.xml', decodeHeader],
  ['policy-deployment.xml', (xml: string) => decodePolicyBody(xml, { updateIndexOf: () => 0 })],
  ['reply-assignments.xml', decodeReplyAssignments],
  ['request-assignments.xml', decodeRequestAssignments],
  ['state-report.xml', decodeReport],
  ['wsus-location-reply.xml', decodeWsusLocationReply],
  ['wsus-location-request.xml', decodeWsusLocationRequest],
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('<', '>', '&', '&x;', '<!DOCTYPE a>', '<!ELEMENT a ANY>', '<!ATTLIST a b CDATA "c">', '</a>', '"', '\u0001', '9999999999', '-', ']]>') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 20 }) }),
);

describe('CCM properties: malformed input gets a WireError with its path', () => {
  for (const [file, decode] of DECODERS) {
    it(file, () => {
      const xml = fx(file);
      fc.assert(
        fc.property(mutation, (m) => {
          const at = m.at % (xml.length + 1);
          const bad = m.kind === 'cut' ? xml.slice(0, at) : m.kind === 'insert' ? xml.slice(0, at) + m.text + xml.slice(at) : xml.slice(0, at) + xml.slice(at + m.n);
          try {
            decode(bad);
          } catch (e) {
            if (!(e instanceof WireError)) throw e;
            expect(e.where).not.toBe('');
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
