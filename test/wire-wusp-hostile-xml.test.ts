// agent/wire/wusp: the MS-WUSP SOAP codec: hostile and malformed XML (DTD, entities,
// size, encoding) refused with a WireError.

import { describe, expect, it } from 'vitest';
import { PATH_CLIENT, decodeRequest, decodeResponse, soapActionHeader } from '../agent/wire/wusp/codec.js';
import { MAX_PAYLOAD_BYTES } from '../agent/wire/errors.js';
import { expectWire } from './helpers/wusp-fixtures.js';
import { parseXml } from '../agent/wire/xml/reader.js';

// ---- XML refusals ---------------------------------------------------------------------

describe('WUSP: hostile and malformed XML', () => {
  const action = soapActionHeader('GetConfig');
  const envelope = (inner: string) =>
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfig xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"><protocolVersion>${inner}</protocolVersion></GetConfig></s:Body></s:Envelope>`;

  it('refuses entity expansion ("billion laughs") before parsing, quickly', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
      ']>' +
      envelope('&lol9;');
    const t0 = performance.now();
    const e = expectWire(() => decodeRequest(action, PATH_CLIENT, lol), 'SUCA_ERR_WIRE_XML');
    expect(e.message).toMatch(/DOCTYPE/);
    expect(performance.now() - t0).toBeLessThan(50);
    expectWire(() => decodeResponse('GetConfig', lol), 'SUCA_ERR_WIRE_XML');
  });

  it('refuses external entities (XXE) and any other markup declaration', () => {
    const xxe = `<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + envelope('&xxe;');
    expectWire(() => decodeRequest(action, PATH_CLIENT, xxe), 'SUCA_ERR_WIRE_XML', 'body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, `<!DOCTYPE x SYSTEM "http://attacker.invalid/x.dtd">` + envelope('1')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('1').replace('<s:Body>', '<s:Body><!ENTITY e "x">')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, `<!doctype x>` + envelope('1')), 'SUCA_ERR_WIRE_XML');
  });

  it('refuses entity references no DTD declared, and bad character references', () => {
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('&xxe;')), 'SUCA_ERR_WIRE_XML', 'Envelope/Body/GetConfig/protocolVersion');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('a & b')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('&#0;')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('&#xD800;')), 'SUCA_ERR_WIRE_XML');
    expect(decodeRequest(action, PATH_CLIENT, envelope('&#x32;.&#57;0 &amp;amp;'))).toEqual({ op: 'GetConfig', protocolVersion: '2.90 &amp;' });
  });

  it('refuses payloads over the limit before parsing (string, Buffer, multi-byte, custom limit)', () => {
    const big = envelope('x'.repeat(MAX_PAYLOAD_BYTES));
    expectWire(() => decodeRequest(action, PATH_CLIENT, big), 'SUCA_ERR_WIRE_TOO_LARGE', 'body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, Buffer.from(big)), 'SUCA_ERR_WIRE_TOO_LARGE', 'body');
    expectWire(() => decodeResponse('GetConfig', big), 'SUCA_ERR_WIRE_TOO_LARGE', 'body');
    // 200 characters but 600 bytes: the limit is in bytes
    const wide = envelope('\u20ac'.repeat(200));
    expectWire(() => decodeRequest(action, PATH_CLIENT, wide, { maxBytes: 500 }), 'SUCA_ERR_WIRE_TOO_LARGE');
    expect(decodeRequest(action, PATH_CLIENT, wide, { maxBytes: 2000 }).op).toBe('GetConfig');
    // oversize wins over a bad SOAPAction: nothing of a huge payload is looked at
    expectWire(() => decodeRequest(undefined, PATH_CLIENT, big), 'SUCA_ERR_WIRE_TOO_LARGE');
  });

  it('refuses malformed XML', () => {
    const good = envelope('2.90');
    const bad = [
      good.slice(0, -10), // truncated
      good.replace('</protocolVersion>', '</protocolversion>'), // mismatched
      good + '<x/>', // two roots
      good + 'junk', // text after the root
      '', // empty
      good.replace('<protocolVersion>', '<protocolVersion a=1>'), // unquoted attribute
      good.replace('<protocolVersion>', '<protocolVersion a="1" a="2">'), // repeated attribute
      good.replace('2.90', '2.90]]>'), // "]]>" in character data
      good.replace('<protocolVersion>', '<protocolVersion>\u0001'), // a character XML does not allow
    ];
    for (const b of bad) expectWire(() => decodeRequest(action, PATH_CLIENT, b), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeResponse('GetConfig', '<<<'), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<a>'.repeat(5000) + '</a>'.repeat(5000)), 'SUCA_ERR_WIRE_XML');
    // 100 levels are read (the deepest message is far from it), 101 are not
    expect(parseXml('<a>'.repeat(100) + '</a>'.repeat(100)).local).toBe('a');
    expectWire(() => parseXml('<a>'.repeat(101) + '</a>'.repeat(101)), 'SUCA_ERR_WIRE_XML');
  });

  it('reads names such as __proto__ as data: well-formed XML, refused as no SOAP envelope, no prototype touched', () => {
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<__proto__/>'), 'SUCA_ERR_WIRE_SOAP');
    const t = parseXml('<a __proto__="1" constructor="2"><__proto__>x</__proto__></a>');
    expect(Object.getPrototypeOf(t.attrs)).toBeNull();
    expect(Object.entries(t.attrs)).toEqual([['__proto__', '1'], ['constructor', '2']]);
    expect(t.children[0]).toMatchObject({ local: '__proto__', text: 'x' });
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8', () => {
    const b = Buffer.concat([Buffer.from(envelope('2.9')), Buffer.from([0xc3, 0x28])]);
    expectWire(() => decodeRequest(action, PATH_CLIENT, b), 'SUCA_ERR_WIRE_ENCODING', 'body');
  });

  it('refuses what is not a SOAP 1.1 envelope with one body element', () => {
    const soap12 = envelope('1').replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope');
    expectWire(() => decodeRequest(action, PATH_CLIENT, soap12), 'SUCA_ERR_WIRE_SOAP', 'Envelope');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<GetConfig><protocolVersion>1</protocolVersion></GetConfig>'), 'SUCA_ERR_WIRE_SOAP');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>'), 'SUCA_ERR_WIRE_SOAP', 'Envelope/Body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>'), 'SUCA_ERR_WIRE_SOAP', 'Envelope/Body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('1').replace('</s:Body>', '<Extra/></s:Body>')), 'SUCA_ERR_WIRE_SOAP', 'Envelope/Body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<Envelope><Body><GetConfig/></Body></Envelope>'), 'SUCA_ERR_WIRE_SOAP', 'Envelope');
  });
});
