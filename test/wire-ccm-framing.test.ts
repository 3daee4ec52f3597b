// agent/wire/ccm: the Configuration Manager client messages: the CCM_POST
// multipart framing, UTF-16LE text and the zlib part 2, against test/fixtures/ccm.

import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { MAX_PAYLOAD_BYTES } from '../agent/wire/errors.js';
import {
  ASYNC_REPLY, CCM_BOUNDARY, CCM_CONTENT_TYPE, CCM_METHOD, CCM_REQUEST_PATHS, CCM_USER_AGENT, decodeMessage,
  decodeTextDocument, encodeMessage, encodeUtf16Document, isCcmRequestPath, packBody,
} from '../agent/wire/ccm/index.js';
import { fx, expectWire, hex, ascii } from './helpers/ccm-fixtures.js';

// ==== framing ======================================================================================

describe('framing', () => {
  // The whole payload of a tiny message, byte by byte, checked by hand: header
  // "<Msg/>", body "<A/>", body compressed as one stored deflate block so the
  // zlib bytes can be worked out on paper:
  //   78 01            zlib header: deflate, 32K window, FLEVEL 0 (0x7801 % 31 == 0)
  //   01               BFINAL=1, BTYPE=00 (stored)
  //   0A 00 F5 FF      LEN=10, NLEN=~10
  //   3C00 4100 2F00 3E00 0000   "<A/>" UTF-16LE + NUL
  //   06 7C 00 EB      Adler-32: a = 1+60+65+47+62 = 235 = 0xEB, b = 1660 = 0x067C
  const STORED = hex('7801 01 0A00F5FF 3C0041002F003E000000 067C00EB');
  const DUMP = [
    '2D2D 6141624263436444763132333435363738393056785879597A5A 0D0A', // --aAbBcCdDv1234567890VxXyYzZ\r\n
    '636F6E74656E742D747970653A20 746578742F706C61696E3B20 636861727365743D5554462D3136 0D0A 0D0A', // content-type: text/plain; charset=UTF-16\r\n\r\n
    'FFFE', // BOM
    '3C004D00730067002F003E00', // "<Msg/>" UTF-16LE
    '0D0A 2D2D 6141624263436444763132333435363738393056785879597A5A 0D0A', // \r\n--boundary\r\n
    '636F6E74656E742D747970653A20 6170706C69636174696F6E2F6F637465742D73747265616D 0D0A 0D0A', // content-type: application/octet-stream\r\n\r\n
    '7801 01 0A00F5FF 3C0041002F003E000000 067C00EB', // zlib(UTF-16LE("<A/>") + NUL)
    '0D0A 2D2D 6141624263436444763132333435363738393056785879597A5A 2D2D', // \r\n--boundary--
  ].join('');

  it('encodes a tiny message to the hand-checked bytes', () => {
    expect(packBody('<A/>', 0)).toEqual({ compressed: STORED, length: 10 });
    const m = encodeMessage({ header: '<Msg/>', body: { compressed: STORED, length: 10 } });
    expect(m.contentType).toBe('multipart/mixed; boundary="aAbBcCdDv1234567890VxXyYzZ"');
    expect(m.payload.toString('hex').toUpperCase()).toBe(DUMP.replace(/\s+/g, ''));
    // 30 (--boundary CRLF) + 44 (part headers) + 2 (BOM) + 12 (header) + 32 + 42 + 21 (zlib) + 32 (CRLF--boundary--)
    expect(m.payload.length).toBe(215);
  });

  it('decodes the hand-checked bytes', () => {
    const d = decodeMessage(CCM_CONTENT_TYPE, hex(DUMP));
    expect(d).toEqual({ header: '<Msg/>', body: '<A/>', attachment: null, bodyPart: STORED, compressed: true, bodyBytes: 10 });
  });

  it("compresses part 2 at zlib's default level, as the captured client does (zlib header 78 9C)", () => {
    // A real 5.00.8239 client's MP_RelayEndpoint request (a public packet capture) starts its
    // part 2 with 78 9C: CM 8 (deflate), a 32K window, FLEVEL 2 (zlib writes 2 for level 6,
    // Z_DEFAULT_COMPRESSION, alone: 1 for levels 2-5, 0 for 0-1, 3 for 7-9). So the agent keeps the
    // default level though level 1 costs half the CPU (bench (a), BENCHMARKS.md): the bytes on the
    // wire, and the MP's inflate work, stay the real client's.
    const packed = packBody(fx('request-assignments.xml'));
    expect(packed.compressed.subarray(0, 2).toString('hex')).toBe('789c');
    expect(((packed.compressed[1]! >> 6) & 3)).toBe(2);
    expect((packed.compressed[0]! * 256 + packed.compressed[1]!) % 31).toBe(0);
  });

  it('round-trips a real header and body at the default compression level', () => {
    const header = fx('msg-header-policy.xml');
    const body = fx('request-assignments.xml');
    const m = encodeMessage({ header, body });
    const d = decodeMessage(m.contentType, m.payload);
    expect(d.header).toBe(header);
    expect(d.body).toBe(body);
    expect(d.attachment).toBeNull();
    expect(zlib.inflateSync(d.bodyPart)).toEqual(Buffer.concat([Buffer.from(body, 'utf16le'), Buffer.alloc(2)]));
    expect(d.bodyBytes).toBe(Buffer.byteLength(body, 'utf16le') + 2);
  });

  it('keeps non-ASCII text intact (UTF-16LE, BMP and beyond)', () => {
    const body = '<Report><NetBIOSName>ПК-Ж 😀</NetBIOSName></Report>';
    const m = encodeMessage({ header: '<Msg><SourceHost>Ж</SourceHost></Msg>', body });
    const d = decodeMessage(m.contentType, m.payload);
    expect(d.body).toBe(body);
    expect(d.header).toBe('<Msg><SourceHost>Ж</SourceHost></Msg>');
  });

  /** A payload from raw parts, for the lenient and the broken cases. */
  function payloadOf(parts: readonly { head: string; data: Buffer }[], opts: { preamble?: string; epilogue?: string; close?: boolean; boundary?: string } = {}): Buffer {
    const b = opts.boundary ?? CCM_BOUNDARY;
    const chunks: Buffer[] = [ascii(opts.preamble ?? '')];
    parts.forEach((p, i) => {
      chunks.push(ascii(`${i === 0 && opts.preamble === undefined ? '' : '\r\n'}--${b}\r\n${p.head}\r\n\r\n`), p.data);
    });
    if (opts.close !== false) chunks.push(ascii(`\r\n--${b}--${opts.epilogue ?? ''}`));
    return Buffer.concat(chunks);
  }
  const headerPart = (xml = '<Msg/>') => ({ head: 'content-type: text/plain; charset=UTF-16', data: Buffer.concat([hex('FFFE'), Buffer.from(xml, 'utf16le')]) });
  const bodyPart = (data: Buffer) => ({ head: 'content-type: application/octet-stream', data });
  const utf16z = (s: string) => Buffer.concat([Buffer.from(s, 'utf16le'), Buffer.alloc(2)]);

  describe('lenient reading', () => {
    it('accepts "\\0\\0\\r\\n" inside the compressed stream (public tools), preamble, epilogue, odd header case, unquoted boundary', () => {
      const comp = zlib.deflateSync(Buffer.concat([utf16z('<A/>'), ascii('\r\n')]));
      const p = payloadOf([
        { head: 'Content-Type: TEXT/PLAIN; Charset="utf-16"', data: headerPart().data },
        { head: 'CONTENT-TYPE: application/octet-stream', data: comp },
      ], { preamble: 'ignored preamble', epilogue: '\r\n' });
      const d = decodeMessage(`multipart/mixed;boundary=${CCM_BOUNDARY}`, p);
      expect(d.body).toBe('<A/>');
      expect(d.header).toBe('<Msg/>');
    });

    it('accepts an uncompressed UTF-16 body part (one public tool sends that)', () => {
      const p = payloadOf([headerPart(), { head: 'content-type: text/plain; charset=UTF-16', data: utf16z('<A/>') }]);
      const d = decodeMessage(CCM_CONTENT_TYPE, p);
      expect(d.body).toBe('<A/>');
      expect(d.compressed).toBe(false);
    });

    it('splits a second document after the NUL off as the attachment (a captured relay request has one)', () => {
      const attachment = Buffer.concat([hex('FFFE'), Buffer.from("<?xml version='1.0' encoding='UTF-16'?><Report/>", 'utf16le')]);
      const comp = zlib.deflateSync(Buffer.concat([utf16z('<Report><ReportHeader/></Report>'), attachment]));
      const d = decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(comp)]));
      expect(d.body).toBe('<Report><ReportHeader/></Report>');
      expect(d.attachment).toEqual(attachment);
    });

    it('ends the body at a UTF-16 NUL only: two zero bytes across two characters (A then U+0100) are text', () => {
      // 'A' is 41 00 and U+0100 is 00 01: the zero pair at offset 1 is no NUL; the NUL after 'B' is
      const raw = Buffer.concat([Buffer.from('<A>A\u0100\u0100B</A>', 'utf16le'), hex('0000'), Buffer.from('<X/>', 'utf16le')]);
      expect(raw.indexOf(hex('0000')) % 2).toBe(1);
      const d = decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(zlib.deflateSync(raw))]));
      expect(d.body).toBe('<A>A\u0100\u0100B</A>');
      expect(d.attachment).toEqual(Buffer.from('<X/>', 'utf16le'));
      // and without any NUL, the whole of it
      const whole = decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(zlib.deflateSync(Buffer.from('<A>A\u0100</A>', 'utf16le')))]));
      expect(whole.body).toBe('<A>A\u0100</A>');
      expect(whole.attachment).toBeNull();
    });

    it('finds the NUL of an uncompressed body wherever its bytes start in the payload (odd and even offsets)', () => {
      for (const pad of ['', ' ', '  ', '   ']) {
        const p = payloadOf([headerPart(), { head: `content-type: text/plain; charset=UTF-16${pad}`, data: Buffer.concat([utf16z('<A>A\u0100</A>'), Buffer.from('<X/>', 'utf16le')]) }]);
        const d = decodeMessage(CCM_CONTENT_TYPE, p);
        expect(d.body).toBe('<A>A\u0100</A>');
        expect(d.attachment).toEqual(Buffer.from('<X/>', 'utf16le'));
      }
    });

    it('accepts a body without NUL terminator and a header with one', () => {
      const d = decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart('<Msg/>\u0000'), bodyPart(zlib.deflateSync(Buffer.from('<A/>', 'utf16le')))]));
      expect(d.header).toBe('<Msg/>');
      expect(d.body).toBe('<A/>');
    });

    it('ignores parts after the second', () => {
      const d = decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(STORED), { head: 'content-type: application/x-extra', data: ascii('x') }]));
      expect(d.body).toBe('<A/>');
    });
  });

  describe('refusals', () => {
    const good = () => payloadOf([headerPart(), bodyPart(STORED)]);

    it('a Content-Type that is not multipart/mixed, or has no boundary', () => {
      expectWire(() => decodeMessage('text/xml; charset=utf-8', good()), 'SUCA_ERR_WIRE_MULTIPART', 'Content-Type');
      expectWire(() => decodeMessage('multipart/mixed', good()), 'SUCA_ERR_WIRE_MULTIPART', 'Content-Type');
      expectWire(() => decodeMessage('multipart/mixed; boundary=""', good()), 'SUCA_ERR_WIRE_MULTIPART', 'Content-Type');
    });

    it('a wrong boundary', () => {
      expectWire(() => decodeMessage('multipart/mixed; boundary="aAbBcCdDv1234567890VxXyYzZ-other"', good()), 'SUCA_ERR_WIRE_MULTIPART', 'payload');
      const p = payloadOf([headerPart(), bodyPart(STORED)], { boundary: 'somethingElse' });
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, p), 'SUCA_ERR_WIRE_MULTIPART', 'payload');
    });

    it('a missing body part, or header part', () => {
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart()])), 'SUCA_ERR_WIRE_MULTIPART', 'part 2 (body)');
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, ascii(`--${CCM_BOUNDARY}--`)), 'SUCA_ERR_WIRE_MULTIPART', 'part 1 (header)');
    });

    it('a truncated payload (no delimiter after the last part)', () => {
      const p = good();
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, p.subarray(0, p.length - 40)), 'SUCA_ERR_WIRE_MULTIPART', 'part 2 (body)');
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(STORED)], { close: false })), 'SUCA_ERR_WIRE_MULTIPART', 'part 2 (body)');
    });

    it('part headers not ended by an empty line, or a body part of another type', () => {
      const p = Buffer.concat([ascii(`--${CCM_BOUNDARY}\r\ncontent-type: text/plain`), ascii(`\r\n--${CCM_BOUNDARY}--`)]);
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, p), 'SUCA_ERR_WIRE_MULTIPART', 'part 1 (header)');
      const q = payloadOf([headerPart(), { head: 'content-type: image/png', data: STORED }]);
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, q), 'SUCA_ERR_WIRE_MULTIPART', 'part 2 (body)');
    });

    it('a header part without the FF FE byte order mark, or big-endian', () => {
      for (const data of [Buffer.from('<Msg/>', 'utf16le'), Buffer.concat([hex('FEFF'), Buffer.from('<Msg/>', 'utf16le').swap16()]), Buffer.alloc(0)]) {
        const p = payloadOf([{ head: 'content-type: text/plain; charset=UTF-16', data }, bodyPart(STORED)]);
        expectWire(() => decodeMessage(CCM_CONTENT_TYPE, p), 'SUCA_ERR_WIRE_ENCODING', 'part 1 (header)');
      }
    });

    it('bad UTF-16LE: odd length, unpaired surrogate, wrong charset', () => {
      const odd = payloadOf([{ head: 'content-type: text/plain; charset=UTF-16', data: Buffer.concat([hex('FFFE'), Buffer.from('<Msg/>', 'utf16le'), hex('20')]) }, bodyPart(STORED)]);
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, odd), 'SUCA_ERR_WIRE_ENCODING', 'part 1 (header)');
      const lone = zlib.deflateSync(Buffer.concat([Buffer.from('<A>', 'utf16le'), hex('00D8'), Buffer.from('</A>', 'utf16le'), Buffer.alloc(2)]));
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(lone)])), 'SUCA_ERR_WIRE_ENCODING', 'part 2 (body)');
      const oddBody = zlib.deflateSync(hex('3C0041'));
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(oddBody)])), 'SUCA_ERR_WIRE_ENCODING', 'part 2 (body)');
      const latin = payloadOf([{ head: 'content-type: text/plain; charset=iso-8859-1', data: headerPart().data }, bodyPart(STORED)]);
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, latin), 'SUCA_ERR_WIRE_ENCODING', 'part 1 (header)');
    });

    it('a truncated zlib stream, a stream that is not zlib, bytes after the stream', () => {
      const comp = zlib.deflateSync(utf16z(fx('request-assignments.xml')));
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(comp.subarray(0, comp.length - 7))])), 'SUCA_ERR_WIRE_ENCODING', 'part 2 (body)');
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(utf16z('<A/>'))])), 'SUCA_ERR_WIRE_ENCODING', 'part 2 (body)');
      const e = expectWire(() => decodeMessage(CCM_CONTENT_TYPE, payloadOf([headerPart(), bodyPart(Buffer.concat([STORED, ascii('junk')]))])), 'SUCA_ERR_WIRE_ENCODING', 'part 2 (body)');
      expect(e.message).toMatch(/4 bytes after the end of the zlib stream/);
    });

    it('a zlib bomb: a tiny part inflating past the limit is stopped, not inflated', () => {
      const bomb = zlib.deflateSync(Buffer.alloc(12 * 1024 * 1024), { level: 9 }); // 12 MiB of zeros in ~12 KiB
      expect(bomb.length).toBeLessThan(16 * 1024);
      const p = payloadOf([headerPart(), bodyPart(bomb)]);
      const before = process.memoryUsage().arrayBuffers;
      const e = expectWire(() => decodeMessage(CCM_CONTENT_TYPE, p), 'SUCA_ERR_WIRE_TOO_LARGE', 'part 2 (body)');
      expect(e.message).toMatch(`inflates past ${MAX_PAYLOAD_BYTES} bytes`);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
      // a custom limit
      const small = payloadOf([headerPart(), bodyPart(zlib.deflateSync(Buffer.alloc(100_000)))]);
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, small, { maxBodyBytes: 65_536 }), 'SUCA_ERR_WIRE_TOO_LARGE', 'part 2 (body)');
      const plain = payloadOf([headerPart(), { head: 'content-type: text/plain; charset=UTF-16', data: Buffer.alloc(100_000) }]);
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, plain, { maxBodyBytes: 65_536 }), 'SUCA_ERR_WIRE_TOO_LARGE', 'part 2 (body)');
    });

    it('an oversized payload is refused before parsing', () => {
      const p = good();
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, p, { maxPayloadBytes: p.length - 1 }), 'SUCA_ERR_WIRE_TOO_LARGE', 'payload');
      expect(decodeMessage(CCM_CONTENT_TYPE, p, { maxPayloadBytes: p.length }).body).toBe('<A/>');
      expectWire(() => decodeMessage(CCM_CONTENT_TYPE, Buffer.alloc(MAX_PAYLOAD_BYTES + 1)), 'SUCA_ERR_WIRE_TOO_LARGE', 'payload');
    });
  });

  it('HTTP facts: method, paths, user agent, the async reply', () => {
    expect(CCM_METHOD).toBe('CCM_POST');
    expect(CCM_USER_AGENT).toBe('ccmhttp');
    expect(CCM_REQUEST_PATHS).toEqual(['/ccm_system/request', '/ccm_system_windowsauth/request', '/ccm_system_altauth/request', '/ccm_system_tokenauth/request']);
    expect(isCcmRequestPath('/ccm_system/request')).toBe(true);
    expect(isCcmRequestPath('/CCM_System_TokenAuth/request?x=1')).toBe(true);
    expect(isCcmRequestPath('/ccm_system/requests')).toBe(false);
    expect(isCcmRequestPath('/SMS_MP/.sms_aut?MPLIST')).toBe(false);
    expect(ASYNC_REPLY).toEqual({ status: 200, headers: { 'Content-Length': '0' } });
  });

  it('stand-alone documents: UTF-16LE with BOM written, UTF-16LE/UTF-8 read', () => {
    const xml = fx('policy-deployment.xml');
    const b = encodeUtf16Document(xml);
    expect(b.subarray(0, 4)).toEqual(hex('FFFE3C00'));
    expect(decodeTextDocument(b)).toBe(xml);
    expect(decodeTextDocument(Buffer.from(xml, 'utf8'))).toBe(xml);
    expect(decodeTextDocument(Buffer.concat([hex('EFBBBF'), Buffer.from('<MPList/>', 'utf8')]))).toBe('<MPList/>');
    expectWire(() => decodeTextDocument(hex('FEFF003C')), 'SUCA_ERR_WIRE_ENCODING', 'document');
    expectWire(() => decodeTextDocument(hex('3CC3')), 'SUCA_ERR_WIRE_ENCODING', 'document');
    expectWire(() => decodeTextDocument(Buffer.alloc(11), { maxPayloadBytes: 10 }), 'SUCA_ERR_WIRE_TOO_LARGE', 'document');
  });
});
