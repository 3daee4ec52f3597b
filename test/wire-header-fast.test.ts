// The <Msg> header's fast path (agent/wire/ccm/header.ts) reads exactly what
// the general, validating parser reads, and hands anything unusual to it.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeHeader, decodeHeaderGeneral, encodeHeader, replyHeader, requestHeader, type MsgHeader } from '../agent/wire/ccm/index.js';

const base = requestHeader({
  id: '{5DD100CD-DF1D-45F5-BA17-A327F43465F8}',
  endpoint: 'MP_RelayEndpoint',
  clientHost: 'client7.suca-fleet.test',
  mpHost: 'mp.suca-fleet.test',
  sourceId: 'GUID:0F6F2E3C-1B2A-4C3D-8E4F-5A6B7C8D9E0F',
  sentTime: '2026-01-05T10:20:30Z',
  replyMode: 'Async',
  properties: [{ name: 'FileType', value: 'SMX' }],
});
const signed: MsgHeader = {
  ...base,
  body: { type: 'ByteRange', length: 12538, offset: 0 },
  clientAuth: { authSenderMachine: 'client7', publicKey: '0602', clientIdSignature: 'AB', payloadSignature: 'CD', clientCapabilities: 'NonSSL', hashAlgorithm: '1.2.840.113549.1.1.11' },
};

/** Both parsers on one text: the same header, or both refuse it. */
function same(xml: string): void {
  let general: MsgHeader | Error;
  try {
    general = decodeHeaderGeneral(xml);
  } catch (e) {
    general = e as Error;
  }
  if (general instanceof Error) expect(() => decodeHeader(xml)).toThrow();
  else expect(decodeHeader(xml)).toEqual(general);
}

describe('<Msg> header: fast and general decoding agree', () => {
  it('request, signed and reply headers as encodeHeader writes them', () => {
    for (const h of [base, signed, replyHeader(base, { id: '{1}', mpHost: 'mp', sentTime: '2026-01-05T10:20:31Z' })]) {
      const xml = encodeHeader(h);
      expect(decodeHeader(xml)).toEqual(decodeHeaderGeneral(xml));
      same(xml);
    }
  });

  it('spacing, another order, an entity, a comment, a Value attribute or a FileType element: the general path, same result', () => {
    const xml = encodeHeader(signed);
    same(xml.replace(/></g, '>\n  <'));
    same(xml.replace('<ID>', '<!-- c --><ID>'));
    same(xml.replace('client7.suca-fleet.test</SourceHost>', 'a&amp;b</SourceHost>'));
    same(xml.replace('<Property Name="FileType">SMX</Property>', '<Property Name="FileType" Value="SMX"/>'));
    same(xml.replace('</Msg>', '<FileType>SMX</FileType></Msg>'));
    same(xml.replace(/<Protocol>http<\/Protocol>(.*)<SentTime>/, '$1<Protocol>http</Protocol><SentTime>'));
    same(xml.replace('<Priority>0</Priority>', '<Priority> 7 </Priority>'));
  });

  it('what the general path refuses, the fast path does not accept', () => {
    const xml = encodeHeader(base);
    for (const bad of [
      xml.replace(/<ID>[^<]*<\/ID>/, '<ID></ID>'),
      xml.replace('<ReplyMode>Async</ReplyMode>', '<ReplyMode>Later</ReplyMode>'),
      xml.replace('Type="ByteRange"', 'Type="Other"'),
      xml.replace('<Priority>0</Priority>', '<Priority>9999999999</Priority>'),
      xml.replace('<Timeout>60000</Timeout>', '<Timeout>-1</Timeout>'),
      xml.replace('Length="0"', 'Length="x"'),
      '<!DOCTYPE m [<!ENTITY x "y">]>' + xml,
    ]) {
      expect(() => decodeHeaderGeneral(bad)).toThrow();
      expect(() => decodeHeader(bad)).toThrow();
    }
  });

  it('any field values (markup, entities, spaces, CR, controls, brackets): the same as the general parser', () => {
    const chars = fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', '"', "'", ']', '\r', '\n', '\t', '{', '}', ':', '-', 'é', '\u0001');
    const str = fc.array(chars, { maxLength: 8 }).map((a) => a.join(''));
    const opt = fc.option(str, { nil: null });
    fc.assert(
      fc.property(str, opt, opt, opt, opt, fc.array(fc.record({ name: str, value: str }), { maxLength: 3 }), fc.option(fc.record({ a: opt, p: opt, s: opt }), { nil: null }), fc.boolean(), fc.option(fc.integer({ min: -5, max: 70000 }), { nil: null }), (id, sourceId, corr, host, replyTo, properties, auth, zlib, prio) => {
        const h: MsgHeader = {
          ...base,
          id,
          sourceId,
          correlationId: corr,
          sourceHost: host,
          replyTo,
          properties,
          zlibCompress: zlib,
          priority: prio,
          clientAuth: auth === null ? null : { authSenderMachine: auth.a, publicKey: auth.p, clientIdSignature: auth.s, payloadSignature: null, clientCapabilities: 'NonSSL', hashAlgorithm: null },
        };
        let xml: string;
        try {
          xml = encodeHeader(h);
        } catch {
          return; // the writer refuses non-XML characters
        }
        same(xml);
      }),
      { numRuns: 3000 },
    );
  });
});
