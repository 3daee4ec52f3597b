// The shared XML layer (agent/wire/xml) under both codecs: the three CCM
// defects it fixes, and the same refusals through the WUSP codec.

import { describe, expect, it } from 'vitest';
import { WireError } from '../agent/wire/errors.js';
import { wireError } from './helpers/wire-error.js';
import { decodeMpList, decodeMpKeyInformation, encodeMpKeyInformation, decodeClientRegistrationResponse } from '../agent/wire/ccm/index.js';
import { decodeRequest, encodeRequest } from '../agent/wire/wusp/codec.js';
import { escapeText, parseXml, parseInt32, parseInt64, parseUint8, checkDateTime } from '../agent/wire/xml/index.js';


describe('XML layer: one reader refuses every markup declaration', () => {
  for (const decl of ['<!ELEMENT MPList ANY>', '<!ATTLIST MP Name CDATA "x">', '<!ENTITY e "x">', '<!NOTATION n SYSTEM "n">', '<!DOCTYPE MPList>']) {
    it(`CCM and WUSP: ${decl}`, () => {
      const e = wireError(() => decodeMpList(`${decl}<MPList/>`));
      expect(e.code).toBe('SUCA_ERR_WIRE_XML');
      expect(e.where).toBe('MPList');
      const body = encodeRequest({ op: 'GetConfig', protocolVersion: '2.90' });
      const w = wireError(() => decodeRequest(body.soapAction, body.path, decl + body.body));
      expect(w.code).toBe('SUCA_ERR_WIRE_XML');
    });
  }
});

describe('XML layer: one writer', () => {
  it('refuses U+0001 (XML 1.0 cannot carry it) naming the element, instead of writing it raw', () => {
    const e = wireError(() => encodeMpKeyInformation({ fqdn: 'mp\u0001.example', siteCode: 'PS1', key: null }));
    expect(e.code).toBe('SUCA_ERR_WIRE_FIELD');
    expect(() => escapeText('a\u0001b', 'X')).toThrow(WireError);
  });

  it('writes CR as &#xD; so it survives a parser', () => {
    const xml = encodeMpKeyInformation({ fqdn: 'a\rb', siteCode: 'PS1', key: null });
    expect(xml).toContain('a&#xD;b');
    expect(decodeMpKeyInformation(xml).fqdn).toBe('a\rb');
    expect(parseXml('<A>a&#xD;b</A>').text).toBe('a\rb');
  });
});

describe('XML layer: scalars with range checks', () => {
  it('9999999999 is not an xs:int (CCM Status, WUSP ints)', () => {
    const e = wireError(() => decodeClientRegistrationResponse('<ClientRegistrationResponse ResponseType="Registration" SMSID="GUID:1" Status="9999999999"/>'));
    expect(e.code).toBe('SUCA_ERR_WIRE_FIELD');
    expect(e.where).toBe('ClientRegistrationResponse/@Status');
    expect(parseInt32('2147483647', 'x')).toBe(2147483647);
    expect(() => parseInt32('2147483648', 'x')).toThrow(/out of range/);
    expect(() => parseInt32('-2147483649', 'x')).toThrow(/out of range/);
  });

  it('xs:long as text, xs:unsignedByte, xs:dateTime fields', () => {
    expect(parseInt64('9223372036854775807', 'x')).toBe('9223372036854775807');
    expect(() => parseInt64('9223372036854775808', 'x')).toThrow(WireError);
    expect(() => parseUint8('256', 'x')).toThrow(WireError);
    expect(() => checkDateTime('2026-13-01T00:00:00Z', 'x')).toThrow(WireError);
    expect(checkDateTime('2026-10-04T16:03:35.9967236Z', 'x')).toBe('2026-10-04T16:03:35.9967236Z');
  });
});
