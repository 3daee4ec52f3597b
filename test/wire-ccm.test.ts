// The CCM (management point) wire codec: framing, <Msg> header, signatures,
// bodies. Fixtures in test/fixtures/ccm (see its README): our own encoding is
// decoded to concrete values, re-encoded byte-identically and round-tripped;
// foreign shapes are decoded leniently.

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { WireError, MAX_PAYLOAD_BYTES, type WireErrorCode } from '../agent/wire/errors.js';
import type { ClientSettings, DeploymentPolicy } from '../agent/core/types.js';
import { MSG_SERIAL, MSG_STATE_ID, MSG_STRIDE, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE } from '../agent/core/types.js';
import {
  ASYNC_REPLY, CCM_BOUNDARY, CCM_CONTENT_TYPE, CCM_METHOD, CCM_REQUEST_PATHS, CCM_USER_AGENT, KeyPool, MP_ENDPOINT,
  buildMessage, clientKey, clientToken, contentUrl, contentUrls, decodeClientRegistrationRequest,
  decodeClientRegistrationResponse, decodeContentLocationReply, decodeContentLocationRequest, decodeHeader, decodeMessage,
  decodeMpKeyInformation, decodeMpList, decodePolicyBody, decodeReplyAssignments, decodeReport, decodeRequestAssignments,
  decodeTextDocument, decodeWsusLocationReply, decodeWsusLocationRequest, encodeClientRegistrationRequest,
  encodeClientRegistrationResponse, encodeContentLocationReply, encodeContentLocationRequest, encodeHeader, encodeMessage,
  encodeMpKeyInformation, encodeMpList, encodePolicyBody, encodeReplyAssignments, encodeReport, encodeRequestAssignments,
  encodeUtf16Document, encodeWsusLocationReply, encodeWsusLocationRequest, endpointOf, flatFromStateReport, fromDmtf,
  isCcmRequestPath, keyFromPublicKeyBlob, openMessage, packBody, parsePolicyRequestPath, policyHash, policyLocationUrl,
  propertyOf, publicKeyBlob, publicKeyBlobHex, registrationSignedData, replyHeader, requestHeader, resolvePolicyLocation,
  signClientToken, signData, stateReportFromFlat, toDmtf, topicIdTypeOf, verifyClientToken, verifyData, verifyMessage,
  wsusUrls, type ClientKey, type MsgHeader, type PolicyBody,
} from '../agent/wire/ccm/index.js';

const fx = (name: string): string => readFileSync(new URL(`./fixtures/ccm/${name}`, import.meta.url), 'utf8');

/** The WireError `fn` throws (fails the test when it throws nothing or something else). */
function wireError(fn: () => unknown): WireError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('expected a WireError, nothing was thrown');
}

function expectWire(fn: () => unknown, code: WireErrorCode, where?: string | RegExp): WireError {
  const e = wireError(fn);
  expect(e.code).toBe(code);
  if (typeof where === 'string') expect(e.where).toBe(where);
  else if (where !== undefined) expect(e.where).toMatch(where);
  return e;
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

const CLIENT_ID = 'GUID:5A1C2E3F-1111-4A2B-8C3D-0123456789AB';
const DEPLOYMENT_ID = '{3F2504E0-4F89-41D3-9A0C-0305E82C3301}';
const T_AVAILABLE = Date.parse('2026-01-06T00:00:00Z');
const T_DEADLINE = Date.parse('2026-01-08T00:00:00Z');

const SETTINGS: ClientSettings = {
  softwareUpdatesEnabled: true,
  policyPollingInterval: 3_600_000,
  stateMessageCycle: 900_000,
  scanInterval: 604_800_000,
  reevaluationInterval: 604_800_000,
  scheduleRandomDelay: 7_200_000,
  firstScanWindow: 7_200_000,
  scanTtl: 86_400_000,
  scanRetryDelay: 1_800_000,
  scanRetryCount: 4,
  supSwitchDelay: 120_000,
  scanRetryCodes: [0x8024401c, 0x80244022, 0x80244010, 0x80072efd, 0x80072efe, 0x8024400a],
  cacheSizeBytes: 5120 * 1024 * 1024,
  cacheMinRetention: 86_400_000,
  restartCountdown: 5_400_000,
  downloadRandomDelay: 7_200_000,
  deadlineRandomDelay: 7_200_000,
  gracePeriod: 0,
};

const DEPLOYMENT: DeploymentPolicy = {
  index: 0,
  id: DEPLOYMENT_ID,
  name: 'Monthly security updates & SSU',
  updates: [3, 17, 42],
  available: T_AVAILABLE,
  deadline: T_DEADLINE,
  disableDeadlineRandomization: false,
  suppressRestart: true,
  userInstallFraction: 0.25,
};

// the test key of the fixtures (1024 bits), and one generated 2048-bit key (the client's size)
const FIXTURE_KEY: ClientKey = clientKey(createPrivateKey(fx('test-key-rsa1024.pem')));
let pool: KeyPool;
beforeAll(() => {
  pool = KeyPool.generate(1);
});

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

// ==== header =========================================================================================

describe('<Msg> header', () => {
  it('decodes the signed policy request header to concrete values', () => {
    const h = decodeHeader(fx('msg-header-policy.xml'));
    expect(h.schemaVersion).toBe('1.1');
    expect(h.replyCompression).toBe('zlib');
    expect(h.body).toEqual({ type: 'ByteRange', length: 784, offset: 0 });
    expect(h.correlationId).toBe('{00000000-0000-0000-0000-000000000000}');
    expect(h.zlibCompress).toBe(true);
    expect(h.clientAuth).not.toBeNull();
    expect(h.clientAuth!.authSenderMachine).toBe('WKS-0042');
    expect(h.clientAuth!.publicKey!.slice(0, 40)).toBe('0602000000A40000525341310004000001000100');
    expect(h.clientAuth!.clientIdSignature).toHaveLength(256);
    expect(h.clientAuth!.payloadSignature!.slice(0, 8)).toBe('42CF0536');
    expect(h.clientAuth!.clientCapabilities).toBe('NonSSL');
    expect(h.clientAuth!.hashAlgorithm).toBe('1.2.840.113549.1.1.11');
    expect(h.id).toBe('{041A35B4-DCEE-4F64-A978-D4D489F47D28}');
    expect(h.payloadType).toBe('inline');
    expect(h.priority).toBe(0);
    expect(h.properties).toEqual([]);
    expect(h.protocol).toBe('http');
    expect(h.replyMode).toBe('Sync');
    expect(h.replyTo).toBe('direct:WKS-0042:SccmMessaging');
    expect(h.sentTime).toBe('2026-01-05T00:10:00Z');
    expect(h.sourceId).toBe(CLIENT_ID);
    expect(h.sourceHost).toBe('WKS-0042');
    expect(h.targetAddress).toBe('mp:MP_PolicyManager');
    expect(h.targetEndpoint).toBe(MP_ENDPOINT.POLICY_MANAGER);
    expect(h.targetHost).toBe('mp1.contoso.test');
    expect(h.timeout).toBe(60000);
    expect(encodeHeader(h)).toBe(fx('msg-header-policy.xml'));
    expect(decodeHeader(encodeHeader(h))).toEqual(h);
  });

  it("the fixture's signatures verify over its body (stored zlib), with the fixture key", () => {
    const h = decodeHeader(fx('msg-header-policy.xml'));
    const packed = packBody(fx('request-assignments.xml'), 0);
    expect(h.body.length).toBe(packed.length);
    const key = verifyMessage(h, packed.compressed, FIXTURE_KEY.publicKey);
    expect(publicKeyBlob(key)).toEqual(publicKeyBlob(FIXTURE_KEY.publicKey));
  });

  it('decodes the relay header: Async, FileType=SMX as a property, Length of the state report', () => {
    const h = decodeHeader(fx('msg-header-relay.xml'));
    expect(h.replyMode).toBe('Async');
    expect(h.properties).toEqual([{ name: 'FileType', value: 'SMX' }]);
    expect(propertyOf(h, 'filetype')).toBe('SMX');
    expect(h.clientAuth).toBeNull();
    expect(h.priority).toBe(5);
    expect(endpointOf(h)).toBe(MP_ENDPOINT.RELAY);
    expect(h.body.length).toBe(Buffer.byteLength(fx('state-report.xml'), 'utf16le') + 2);
    expect(encodeHeader(h)).toBe(fx('msg-header-relay.xml'));
    expect(decodeHeader(encodeHeader(h))).toEqual(h);
  });

  it('reads a header in the real client element order, with ClientCapability and no FileType', () => {
    const h = decodeHeader(fx('msg-header-relay-foreign.xml'));
    expect(h.id).toBe('{95F79010-D0EB-49A6-8A1E-3897883105F2}');
    expect(h.body).toEqual({ type: 'ByteRange', length: 3262, offset: 0 });
    expect(h.replyMode).toBe('Async');
    expect(h.zlibCompress).toBe(true);
    expect(h.clientAuth).toEqual({
      authSenderMachine: 'WKS-0042', publicKey: null, clientIdSignature: null, payloadSignature: null,
      clientCapabilities: 'NonSSL', hashAlgorithm: '1.2.840.113549.1.1.11',
    });
    expect(propertyOf(h, 'FileType')).toBeNull();
    expect(h.correlationId).toBeNull();
    expect(h.timeout).toBe(3600);
    expect(h.replyTo).toBe('direct:WKS-0042:StateMessageManager');
    expect(endpointOf(h)).toBe('MP_RelayEndpoint');
    expect(decodeHeader(encodeHeader(h))).toEqual(h);
  });

  it('reads FileType from a <FileType> element or a Value attribute, and minimal headers', () => {
    const a = decodeHeader('<Msg SchemaVersion="1.1"><ID>{1}</ID><Body Type="ByteRange" Length="2"/><FileType>SMX</FileType></Msg>');
    expect(propertyOf(a, 'FileType')).toBe('SMX');
    expect(a.body.offset).toBe(0);
    expect(a.replyMode).toBeNull();
    expect(a.clientAuth).toBeNull();
    expect(a.zlibCompress).toBe(false);
    const b = decodeHeader('<Msg><ID>{1}</ID><Body Length="2"/><Properties><Property Name="FileType" Value="SMX"/></Properties><SourceID></SourceID><TargetAddress>mp:[http]MP_LocationManager</TargetAddress></Msg>');
    expect(propertyOf(b, 'FileType')).toBe('SMX');
    expect(b.sourceId).toBeNull();
    expect(endpointOf(b)).toBe('MP_LocationManager');
  });

  it('round-trips the headers it builds for requests and replies', () => {
    const req = requestHeader({
      id: '{00000000-0000-4000-8000-000000000001}', endpoint: MP_ENDPOINT.LOCATION_MANAGER, clientHost: 'WKS-0042', mpHost: 'mp1.contoso.test',
      sourceId: CLIENT_ID, sentTime: '2026-01-05T00:10:00Z',
    });
    expect(decodeHeader(encodeHeader(req))).toEqual(req);
    const relay = requestHeader({
      id: '{2}', endpoint: MP_ENDPOINT.RELAY, clientHost: 'WKS-0042', mpHost: 'mp1.contoso.test', sourceId: null, sentTime: '2026-01-05T00:10:00Z',
      replyMode: 'Async', priority: 5, properties: [{ name: 'FileType', value: 'SMX' }],
    });
    expect(decodeHeader(encodeHeader(relay))).toEqual(relay);
    const rep = replyHeader(req, { id: '{3}', mpHost: 'mp1.contoso.test', sentTime: '2026-01-05T00:10:01Z' });
    expect(rep.correlationId).toBe(req.id);
    expect(rep.targetAddress).toBe('direct:WKS-0042:SccmMessaging');
    expect(decodeHeader(encodeHeader(rep))).toEqual(rep);
    const odd: MsgHeader = { ...req, sourceHost: 'a<b&"c"', clientAuth: { authSenderMachine: null, publicKey: 'AB', clientIdSignature: null, payloadSignature: 'CD', clientCapabilities: null, hashAlgorithm: null } };
    expect(decodeHeader(encodeHeader(odd))).toEqual(odd);
  });

  it('refuses headers without ID or Body, with a bad ReplyMode or Body, or another root', () => {
    expectWire(() => decodeHeader('<Msg><Body Length="2"/></Msg>'), 'SUCA_ERR_WIRE_FIELD', 'Msg');
    expectWire(() => decodeHeader('<Msg><ID>{1}</ID></Msg>'), 'SUCA_ERR_WIRE_FIELD', 'Msg');
    expectWire(() => decodeHeader('<Msg><ID>{1}</ID><Body/></Msg>'), 'SUCA_ERR_WIRE_FIELD', 'Msg/Body');
    expectWire(() => decodeHeader('<Msg><ID>{1}</ID><Body Length="-1"/></Msg>'), 'SUCA_ERR_WIRE_FIELD', 'Msg/Body/@Length');
    expectWire(() => decodeHeader('<Msg><ID>{1}</ID><Body Type="File" Length="1"/></Msg>'), 'SUCA_ERR_WIRE_FIELD', 'Msg/Body/@Type');
    expectWire(() => decodeHeader('<Msg><ID>{1}</ID><Body Length="2"/><ReplyMode>Later</ReplyMode></Msg>'), 'SUCA_ERR_WIRE_FIELD', 'Msg/ReplyMode');
    expectWire(() => decodeHeader('<Msg><ID>{1}</ID><ID>{2}</ID><Body Length="2"/></Msg>'), 'SUCA_ERR_WIRE_FIELD', 'Msg');
    expectWire(() => decodeHeader('<Message/>'), 'SUCA_ERR_WIRE_FIELD', 'Msg');
  });
});

// ==== signing ========================================================================================

describe('signing', () => {
  it('PUBLICKEYBLOB: exact first bytes, little-endian modulus, round trip to a KeyObject', () => {
    const k = pool.forClient(0);
    const blob = publicKeyBlob(k.publicKey);
    expect(blob.length).toBe(20 + 256);
    // BLOBHEADER: PUBLICKEYBLOB, v2, reserved, CALG_RSA_KEYX; RSAPUBKEY: 'RSA1', 2048 bits, e = 65537
    expect(blob.subarray(0, 20).toString('hex').toUpperCase()).toBe('0602000000A40000' + '52534131' + '00080000' + '01000100');
    const n = Buffer.from(k.publicKey.export({ format: 'jwk' }).n!, 'base64url');
    expect(blob.subarray(20)).toEqual(Buffer.from(n).reverse());
    expect(k.publicKeyBlobHex).toBe(blob.toString('hex').toUpperCase());
    expect(publicKeyBlobHex(k.privateKey)).toBe(k.publicKeyBlobHex);
    const back = keyFromPublicKeyBlob(k.publicKeyBlobHex);
    expect(back.export({ format: 'jwk' })).toEqual(k.publicKey.export({ format: 'jwk' }));
    expect(publicKeyBlob(keyFromPublicKeyBlob(blob))).toEqual(blob);
    // CALG_RSA_SIGN blobs read too
    const sign = Buffer.from(blob);
    sign[5] = 0x24;
    expect(publicKeyBlob(keyFromPublicKeyBlob(sign))).toEqual(blob);
  });

  it('malformed key blobs are SUCA_ERR_WIRE_SIGNATURE', () => {
    const blob = publicKeyBlob(FIXTURE_KEY.publicKey);
    const bad = (f: (b: Buffer) => Buffer) => expectWire(() => keyFromPublicKeyBlob(f(Buffer.from(blob))), 'SUCA_ERR_WIRE_SIGNATURE', 'PublicKey');
    bad((b) => b.subarray(0, 19));
    bad((b) => b.subarray(0, b.length - 1));
    bad((b) => { b[0] = 0x07; return b; }); // PRIVATEKEYBLOB
    bad((b) => { b.write('RSA2', 8, 'latin1'); return b; });
    bad((b) => { b.writeUInt32LE(1000, 12); return b; });
    bad((b) => { b.writeUInt32LE(65536, 16); return b; });
    expectWire(() => keyFromPublicKeyBlob('06020Z'), 'SUCA_ERR_WIRE_SIGNATURE', 'PublicKey');
  });

  it('signatures are PKCS#1 v1.5 SHA-256, bytes reversed, hex upper-case, deterministic', () => {
    const data = Buffer.from('payload');
    const s = signData(FIXTURE_KEY.privateKey, data);
    expect(s).toMatch(/^[0-9A-F]{256}$/);
    expect(signData(FIXTURE_KEY.privateKey, data)).toBe(s);
    expect(verifyData(FIXTURE_KEY.publicKey, data, s)).toBe(true);
    expect(verifyData(FIXTURE_KEY.publicKey, Buffer.from('payloaD'), s)).toBe(false);
    // not reversed: does not verify
    const straight = Buffer.from(s, 'hex').reverse().toString('hex');
    expect(verifyData(FIXTURE_KEY.publicKey, data, straight)).toBe(false);
  });

  it('signs and verifies a whole message (2048-bit pool key)', () => {
    const key = pool.forClient(7);
    const header = requestHeader({
      id: '{041A35B4-DCEE-4F64-A978-D4D489F47D28}', endpoint: MP_ENDPOINT.POLICY_MANAGER, clientHost: 'WKS-0042', mpHost: 'mp1.contoso.test',
      sourceId: CLIENT_ID, sentTime: '2026-01-05T00:10:00Z',
    });
    const body = fx('request-assignments.xml');
    const m = buildMessage({ header, body, signer: { key } });
    expect(m.header.clientAuth!.publicKey).toBe(key.publicKeyBlobHex);
    expect(m.header.clientAuth!.authSenderMachine).toBe('WKS-0042');
    expect(m.header.body.length).toBe(784);
    const o = openMessage(m.contentType, m.payload, { verify: true });
    expect(o.header).toEqual(m.header);
    expect(o.body).toBe(body);
    expect(decodeRequestAssignments(o.body).serverCookie).toBe('3');
    openMessage(m.contentType, m.payload, { verify: key.publicKey });
  });

  it('a flipped byte in the signed part 2 or in a signature, another key, or no signature: SUCA_ERR_WIRE_SIGNATURE', () => {
    const header = requestHeader({
      id: '{1}', endpoint: MP_ENDPOINT.POLICY_MANAGER, clientHost: 'WKS-0042', mpHost: 'mp1.contoso.test', sourceId: CLIENT_ID, sentTime: '2026-01-05T00:10:00Z',
    });
    // stored blocks: a flipped body byte stays valid zlib only if the adler32 is fixed, so flip inside the
    // signed bytes and verify directly, as the MP does before inflating
    const packed = packBody(fx('request-assignments.xml'), 0);
    const auth = { ...header, clientAuth: null };
    const m = buildMessage({ header: auth, body: fx('request-assignments.xml'), signer: { key: FIXTURE_KEY }, level: 0 });
    expect(verifyMessage(m.header, packed.compressed)).toBeDefined();
    for (const i of [0, 7, 100, packed.compressed.length - 1]) {
      const f = Buffer.from(packed.compressed);
      f[i] = f[i]! ^ 0x80;
      expectWire(() => verifyMessage(m.header, f), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    }
    const sig = m.header.clientAuth!.payloadSignature!;
    const badSig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expectWire(() => verifyMessage({ ...m.header, clientAuth: { ...m.header.clientAuth!, payloadSignature: badSig } }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expectWire(() => verifyMessage({ ...m.header, clientAuth: { ...m.header.clientAuth!, payloadSignature: 'XYZ' } }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expectWire(() => verifyMessage({ ...m.header, sourceId: 'GUID:5A1C2E3F-1111-4A2B-8C3D-0123456789AC' }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/ClientIDSignature');
    expectWire(() => verifyMessage(m.header, packed.compressed, pool.forClient(0).publicKey), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PublicKey');
    expectWire(() => verifyMessage({ ...m.header, clientAuth: null }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2');
    const keyless = { ...m.header, clientAuth: { ...m.header.clientAuth!, publicKey: null } };
    expectWire(() => verifyMessage(keyless, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PublicKey');
    expect(verifyMessage(keyless, packed.compressed, FIXTURE_KEY.publicKey)).toBe(FIXTURE_KEY.publicKey);
    expectWire(() => verifyMessage(keyless, packed.compressed, pool.forClient(0).publicKey), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expectWire(() => verifyMessage({ ...m.header, clientAuth: { ...m.header.clientAuth!, hashAlgorithm: '1.2.840.113549.1.1.5' } }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/HashAlgorithm');

    // through openMessage: a payload whose part 2 was altered (re-compressed body) fails verification
    const other = encodeMessage({ header: encodeHeader(m.header), body: packBody(fx('request-assignments.xml').replace('<ServerCookie>3<', '<ServerCookie>4<'), 0) });
    expectWire(() => openMessage(other.contentType, other.payload, { verify: true }), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expect(openMessage(other.contentType, other.payload).body).toContain('<ServerCookie>4<');
  });

  it('buildMessage needs a SourceID to sign; a cached ClientIDSignature is used as given', () => {
    const header = requestHeader({ id: '{1}', endpoint: MP_ENDPOINT.CLIENT_REGISTRATION, clientHost: 'WKS-0042', mpHost: 'mp1', sourceId: null, sentTime: 'x' });
    expectWire(() => buildMessage({ header, body: '<A/>', signer: { key: FIXTURE_KEY } }), 'SUCA_ERR_WIRE_FIELD', 'Msg/SourceID');
    const m = buildMessage({ header: { ...header, sourceId: CLIENT_ID }, body: '<A/>', signer: { key: FIXTURE_KEY, clientIdSignature: 'CAFE' } });
    expect(m.header.clientAuth!.clientIdSignature).toBe('CAFE');
    const unsigned = buildMessage({ header, body: '<A/>' });
    expect(unsigned.header.clientAuth).toBeNull();
    expect(openMessage(unsigned.contentType, unsigned.payload).header).toEqual(unsigned.header);
  });

  it('KeyPool: size is a parameter, keys are reused by index, keys can be passed in', () => {
    expect(pool.size).toBe(1);
    expect(pool.forClient(0)).toBe(pool.forClient(123));
    const two = new KeyPool([FIXTURE_KEY, pool.forClient(0).privateKey]);
    expect(two.size).toBe(2);
    expect(two.forClient(0)).toBe(FIXTURE_KEY);
    expect(two.forClient(3).publicKeyBlobHex).toBe(pool.forClient(0).publicKeyBlobHex);
    expect(() => new KeyPool([])).toThrow(RangeError);
    expect(() => KeyPool.generate(0)).toThrow(RangeError);
  });

  it('policy download token: ClientToken and its signature', () => {
    const token = clientToken(CLIENT_ID, '2026-01-05T00:10:00Z');
    expect(token).toBe('GUID:5A1C2E3F-1111-4A2B-8C3D-0123456789AB;2026-01-05T00:10:00Z;2');
    const sig = signClientToken(FIXTURE_KEY, token);
    verifyClientToken(FIXTURE_KEY.publicKey, token, sig);
    expectWire(() => verifyClientToken(FIXTURE_KEY.publicKey, token.replace(';2', ';3'), sig), 'SUCA_ERR_WIRE_SIGNATURE', 'ClientTokenSignature');
  });
});

// ==== bodies ============================================================================================

describe('bodies', () => {
  it('ClientRegistrationRequest: values, signature over the <Data> text, certificate of the key', () => {
    const xml = fx('client-registration-request.xml');
    const r = decodeClientRegistrationRequest(xml);
    expect(r.data).toMatchObject({
      hashAlgorithm: '1.2.840.113549.1.1.11', smsId: '', requestType: 'Registration', timeStamp: '2026-01-05T00:00:05Z',
      agentIdentity: 'CCMSetup.exe', agentVersion: '5.00.9128.1000', agentType: 0,
      netbiosName: 'WKS-0042', fqdn: 'wks-0042.contoso.test', localeId: 1033, internetFlag: 0,
    });
    expect(r.data.signingCertificate).toBe(r.data.encryptionCertificate);
    const cert = new X509Certificate(Buffer.from(r.data.signingCertificate, 'hex'));
    expect(cert.subject).toBe('CN=ConfigMgr Client');
    expect(publicKeyBlob(cert.publicKey)).toEqual(publicKeyBlob(FIXTURE_KEY.publicKey));
    const signed = registrationSignedData(xml);
    expect(signed.startsWith('<Data HashAlgorithm=')).toBe(true);
    expect(verifyData(cert.publicKey, Buffer.from(signed, 'utf16le'), r.signature)).toBe(true);
    expect(encodeClientRegistrationRequest(r)).toBe(xml);
    expect(decodeClientRegistrationRequest(encodeClientRegistrationRequest(r))).toEqual(r);
  });

  it('ClientRegistrationResponse', () => {
    const xml = fx('client-registration-response.xml');
    const r = decodeClientRegistrationResponse(xml);
    expect(r).toEqual({ smsId: CLIENT_ID, status: 0, timeStamp: '2026-01-05T00:00:07Z' });
    expect(encodeClientRegistrationResponse(r)).toBe(xml);
    const bare = decodeClientRegistrationResponse('<ClientRegistrationResponse SMSID="GUID:X" Status="1" ApprovalStatus="2"/>');
    expect(bare).toEqual({ smsId: 'GUID:X', status: 1, timeStamp: null });
    expect(decodeClientRegistrationResponse(encodeClientRegistrationResponse(bare))).toEqual(bare);
    expectWire(() => decodeClientRegistrationResponse('<ClientRegistrationResponse Status="0"/>'), 'SUCA_ERR_WIRE_FIELD', 'ClientRegistrationResponse');
  });

  it('RequestAssignments: client, machine resource, the known version as the cookie', () => {
    const xml = fx('request-assignments.xml');
    const r = decodeRequestAssignments(xml);
    expect(r).toEqual({
      clientId: CLIENT_ID, fqdn: 'wks-0042.contoso.test', netbiosName: 'WKS-0042', policySource: 'SMS:PS1',
      resourceType: 'Machine', requestType: 'Always', ack: false, serverCookie: '3',
    });
    expect(encodeRequestAssignments(r)).toBe(xml);
    const first = { ...r, serverCookie: '', ack: true, requestType: 'Full' };
    expect(encodeRequestAssignments(first)).toContain('<ServerCookie/>');
    expect(decodeRequestAssignments(encodeRequestAssignments(first))).toEqual(first);
    // the SDK's shape: <Resource> with text, no attributes
    const sdk = decodeRequestAssignments('<RequestAssignments SchemaVersion="1.00" RequestType="OnUpdate"><PolicySource>SMS:PS1</PolicySource><Identification><Machine><ClientID>GUID:X</ClientID></Machine></Identification><Resource>Machine</Resource></RequestAssignments>');
    expect(sdk).toMatchObject({ clientId: 'GUID:X', resourceType: 'Machine', requestType: 'OnUpdate', ack: false, serverCookie: '', fqdn: '' });
  });

  it('ReplyAssignments: policy assignments with versions, slots and CDATA locations', () => {
    const xml = fx('reply-assignments.xml');
    const r = decodeReplyAssignments(xml);
    expect(r.clientId).toBe(CLIENT_ID);
    expect(r.policySource).toBe('SMS:PS1');
    expect(r.resourceType).toBe('Machine');
    expect(r.serverCookie).toBe('6');
    expect(r.assignments).toEqual([
      {
        assignmentId: '{SUCA-SETTINGS}', slot: 0, policyId: '{SUCA-SETTINGS}', policyVersion: 2, policyType: 'Machine',
        policyCategory: 'SUCA_Settings', policyFlags: 0,
        policyLocation: 'http://<mp>/SMS_MP/.sms_pol?{SUCA-SETTINGS}.SHA256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
      },
      {
        assignmentId: DEPLOYMENT_ID, slot: 1, policyId: DEPLOYMENT_ID, policyVersion: 1, policyType: 'Machine',
        policyCategory: 'SUCA_Deployment', policyFlags: 0,
        policyLocation: `http://<mp>/SMS_MP/.sms_pol?${DEPLOYMENT_ID}.SHA256:60303AE22B998861BCE3B28F33EEC1BE758A213C86C93C076DBE9F558C11C752`,
      },
    ]);
    expect(encodeReplyAssignments(r)).toBe(xml);
    expect(decodeReplyAssignments(encodeReplyAssignments(r))).toEqual(r);
    // a real MP's reply: no SucaSlot, version '5.00', flags, text location
    const real = decodeReplyAssignments('<ReplyAssignments><PolicyAssignment PolicyAssignmentID="{A}"><Condition/><Policy PolicyID="{P}" PolicyVersion="5.00" PolicyType="Machine" PolicyCategory="NAAConfig" PolicyFlags="6"><PolicyLocation>http://&lt;mp&gt;/SMS_MP/.sms_pol?{P}.5_00</PolicyLocation></Policy></PolicyAssignment></ReplyAssignments>');
    expect(real.assignments).toEqual([{ assignmentId: '{A}', slot: null, policyId: '{P}', policyVersion: 5, policyType: 'Machine', policyCategory: 'NAAConfig', policyFlags: 6, policyLocation: 'http://<mp>/SMS_MP/.sms_pol?{P}.5_00' }]);
    expect(real.serverCookie).toBe('');
    expect(decodeReplyAssignments(encodeReplyAssignments(real))).toEqual(real);
    expectWire(() => decodeReplyAssignments('<ReplyAssignments><PolicyAssignment><Policy PolicyVersion="1.00"><PolicyLocation/></Policy></PolicyAssignment></ReplyAssignments>'), 'SUCA_ERR_WIRE_FIELD', 'ReplyAssignments/PolicyAssignment[0]/Policy');
    expectWire(() => decodeReplyAssignments('<ReplyAssignments><PolicyAssignment><Policy PolicyID="{P}" PolicyVersion="v1"><PolicyLocation/></Policy></PolicyAssignment></ReplyAssignments>'), 'SUCA_ERR_WIRE_FIELD', 'ReplyAssignments/PolicyAssignment[0]/Policy/@PolicyVersion');
  });

  it('policy locations: URL, <mp> substitution, the GET path', () => {
    const body = encodeUtf16Document(fx('policy-deployment.xml'));
    const hash = policyHash(body);
    expect(hash).toMatch(/^[0-9A-F]{64}$/);
    const loc = policyLocationUrl(DEPLOYMENT_ID, hash.toLowerCase());
    expect(loc).toBe(`http://<mp>/SMS_MP/.sms_pol?${DEPLOYMENT_ID}.SHA256:${hash}`);
    const url = resolvePolicyLocation(loc, 'mp1.contoso.test');
    expect(url).toBe(`http://mp1.contoso.test/SMS_MP/.sms_pol?${DEPLOYMENT_ID}.SHA256:${hash}`);
    const u = new URL(url);
    expect(parsePolicyRequestPath(u.pathname + u.search)).toEqual({ policyId: DEPLOYMENT_ID, hash, version: null });
    expect(parsePolicyRequestPath('/SMS_MP/.sms_pol?%7Be98163c7-7b3a-4c3d-bb69-2b398c492290%7D.2_00')).toEqual({ policyId: '{e98163c7-7b3a-4c3d-bb69-2b398c492290}', hash: null, version: '2_00' });
    expect(parsePolicyRequestPath('/sms_mp/.sms_pol?PS120003-PS100009-6F6BCC28.1_00').policyId).toBe('PS120003-PS100009-6F6BCC28');
    expectWire(() => parsePolicyRequestPath('/SMS_MP/.sms_pol?{x}'), 'SUCA_ERR_WIRE_FIELD');
    expectWire(() => parsePolicyRequestPath('/SMS_MP/.sms_aut?MPLIST'), 'SUCA_ERR_WIRE_FIELD');
  });

  it('WSUSLocationRequest: content ID and version, site, AD site, forest, domain, IP', () => {
    const xml = fx('wsus-location-request.xml');
    const r = decodeWsusLocationRequest(xml);
    expect(r).toEqual({
      contentId: '{C2D17964-BBDD-4339-B9F3-12D7205B39CC}', contentVersion: 38, siteCode: 'PS1', onInternet: false,
      location: { adSite: 'Default-First-Site-Name', forest: 'contoso.test', domain: 'contoso.test', ipAddresses: [{ subnetAddress: '10.1.2.0', address: '10.1.2.42' }] },
    });
    expect(encodeWsusLocationRequest(r)).toBe(xml);
    const two = { ...r, onInternet: true, location: { ...r.location, ipAddresses: [...r.location.ipAddresses, { subnetAddress: 'fe80::', address: 'fe80::1' }] } };
    expect(decodeWsusLocationRequest(encodeWsusLocationRequest(two))).toEqual(two);
  });

  it('WSUSLocationReply: location records, and the empty reply', () => {
    const xml = fx('wsus-location-reply.xml');
    const r = decodeWsusLocationReply(xml);
    expect(r).toEqual({
      sites: [{
        siteCode: 'PS1', records: [
          { wsusUrl: 'http://sup1.contoso.test:8530', serverName: 'sup1.contoso.test', version: 38 },
          { wsusUrl: 'http://sup2.contoso.test:8530', serverName: 'sup2.contoso.test', version: 38 },
        ],
      }],
    });
    expect(wsusUrls(r)).toEqual(['http://sup1.contoso.test:8530', 'http://sup2.contoso.test:8530']);
    expect(encodeWsusLocationReply(r)).toBe(xml);
    const empty = decodeWsusLocationReply(fx('wsus-location-reply-empty.xml'));
    expect(empty).toEqual({ sites: [{ siteCode: 'PS1', records: [] }] });
    expect(wsusUrls(empty)).toEqual([]);
    expect(encodeWsusLocationReply(empty)).toBe(fx('wsus-location-reply-empty.xml'));
    expect(encodeWsusLocationReply({ sites: [] })).toBe('<WSUSLocationReply SchemaVersion="1.00"><Sites/></WSUSLocationReply>');
    expect(decodeWsusLocationReply('<WSUSLocationReply SchemaVersion="1.00"/>')).toEqual({ sites: [] });
  });

  it('ContentLocationRequest', () => {
    const xml = fx('content-location-request.xml');
    const r = decodeContentLocationRequest(xml);
    expect(r).toEqual({
      packageId: 'UID:Content_63fbf078-1815-4e37-9614-b60ce7947805', version: 1, siteCode: 'PS1', locationType: 'SMSUpdate',
      location: { adSite: 'Default-First-Site-Name', forest: 'contoso.test', domain: 'contoso.test', ipAddresses: [{ subnetAddress: '10.1.2.0', address: '10.1.2.42' }] },
    });
    expect(encodeContentLocationRequest(r)).toBe(xml);
  });

  it('ContentLocationReply: DP URLs; the full MP_Location.log shape read leniently', () => {
    const xml = fx('content-location-reply.xml');
    const r = decodeContentLocationReply(xml);
    const url = 'http://dp1.contoso.test/SMS_DP_SMSPKG$/Content_63fbf078-1815-4e37-9614-b60ce7947805.1';
    expect(r).toEqual({
      sites: [{
        siteCode: 'PS1', records: [{
          url, signatureUrl: 'http://dp1.contoso.test/SMS_DP_SMSSIG$/Content_63fbf078-1815-4e37-9614-b60ce7947805.1.tar',
          serverName: 'dp1.contoso.test', dpType: 'SERVER', locality: 'LOCAL', version: '9128',
        }],
      }],
    });
    expect(contentUrls(r)).toEqual([url]);
    expect(contentUrl('http://dp1.contoso.test/SMS_DP_SMSPKG$/', '63fbf078-1815-4e37-9614-b60ce7947805', 1)).toBe(url);
    expect(encodeContentLocationReply(r)).toBe(xml);
    const ms = decodeContentLocationReply(fx('content-location-reply-ms.xml'));
    expect(ms.sites).toHaveLength(2);
    expect(ms.sites[0]!.records[0]).toEqual({
      url: 'http://dp2.contoso.test/SMS_DP_SMSPKG$/Content_0d2c54f4-5a7c-4d6e-8b90-1c2d3e4f5a6b.1',
      signatureUrl: 'http://dp2.contoso.test/SMS_DP_SMSSIG$/Content_0d2c54f4-5a7c-4d6e-8b90-1c2d3e4f5a6b.1.tar',
      serverName: 'dp2.contoso.test', dpType: 'SERVER', locality: 'SUBNET', version: '8239',
    });
    expect(ms.sites[1]).toEqual({ siteCode: 'PS1', records: [] });
    expect(decodeContentLocationReply(encodeContentLocationReply(ms))).toEqual(ms);
    const bare = { sites: [{ siteCode: 'PS1', records: [{ url, signatureUrl: null, serverName: 'dp1', dpType: 'SERVER', locality: 'REMOTE', version: null }] }] };
    expect(decodeContentLocationReply(encodeContentLocationReply(bare))).toEqual(bare);
  });

  it('MPLIST and MPKEYINFORMATION', () => {
    const l = decodeMpList(fx('mplist.xml'));
    expect(l).toEqual({ mps: [
      { name: 'MP1', fqdn: 'mp1.contoso.test', version: '9128', sslState: 0 },
      { name: 'MP2', fqdn: 'mp2.contoso.test', version: '9128', sslState: 0 },
    ] });
    expect(encodeMpList(l)).toBe(fx('mplist.xml'));
    const scanner = decodeMpList('<MPList><MP Name="MP1" FQDN="mp1.mayyhem.com"><Version>9106</Version></MP><MP Name="MP2"></MP></MPList>');
    expect(scanner.mps).toEqual([{ name: 'MP1', fqdn: 'mp1.mayyhem.com', version: '9106', sslState: null }, { name: 'MP2', fqdn: null, version: null, sslState: null }]);
    expect(decodeMpList(encodeMpList(scanner))).toEqual(scanner);
    const k = decodeMpKeyInformation(fx('mpkeyinformation.xml'));
    expect(k).toEqual({ fqdn: 'mp1.contoso.test', siteCode: 'PS1', key: null });
    expect(encodeMpKeyInformation(k)).toBe(fx('mpkeyinformation.xml'));
    const withKey = { ...k, key: FIXTURE_KEY.publicKeyBlobHex };
    expect(decodeMpKeyInformation(encodeMpKeyInformation(withKey))).toEqual(withKey);
    expectWire(() => decodeMpKeyInformation('<MPKEYINFORMATION><FQDN>x</FQDN></MPKEYINFORMATION>'), 'SUCA_ERR_WIRE_FIELD', 'MPKEYINFORMATION');
  });
});

// ==== state messages ====================================================================================

describe('state-message Report', () => {
  const TOPICS: Record<number, readonly string[]> = {
    501: ['{C2D17964-BBDD-4339-B9F3-12D7205B39CC}'],
    500: Array.from({ length: 64 }, (_, i) =>
      i === 42 ? '505fda07-b4f3-45fb-83d9-8642554e2773' : i === 17 ? '8f1d3a2c-5b6e-4c7d-9e8f-0a1b2c3d4e5f' : `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`),
    300: [DEPLOYMENT_ID, '{3F2504E0-4F89-41D3-9A0C-0305E82C3302}'],
  };
  TOPICS[402] = TOPICS[500]!;
  TOPICS[301] = TOPICS[302] = TOPICS[300]!;
  const topicIdOf = (type: number, topic: number): string => TOPICS[type]![topic]!;
  const topicIndexOf = (type: number, id: string): number | undefined => {
    const i = TOPICS[type]?.indexOf(id) ?? -1;
    return i < 0 ? undefined : i;
  };
  const MACHINE = {
    clientInstalled: 1, clientType: 1, clientId: CLIENT_ID, clientVersion: '5.00.9128.1000', netbiosName: 'WKS-0042',
    codePage: 437, systemDefaultLcid: 1033, priority: 5,
  };
  /** Rows [topic type, state, topic, serial, time] in the agent's flat layout (other fields 0). */
  const flatOf = (rows: readonly (readonly number[])[]): number[] => {
    const out = new Array<number>(rows.length * MSG_STRIDE).fill(0);
    rows.forEach((r, i) => {
      const o = i * MSG_STRIDE;
      out[o + MSG_TOPIC_TYPE] = r[0]!;
      out[o + MSG_STATE_ID] = r[1]!;
      out[o + MSG_TOPIC] = r[2]!;
      out[o + MSG_SERIAL] = r[3]!;
      out[o + MSG_TIME] = r[4]!;
    });
    return out;
  };
  const FLAT = flatOf([
    [501, 2, 0, 231, Date.parse('2026-01-07T09:15:42.125Z')],
    [500, 2, 42, 232, Date.parse('2026-01-07T09:20:42Z')],
    [500, 3, 17, 233, Date.parse('2026-01-07T09:20:42Z')],
    [300, 2, 0, 234, Date.parse('2026-01-07T09:21:40.500Z')],
  ]);

  it('decodes the fixture to concrete values', () => {
    const r = decodeReport(fx('state-report.xml'));
    expect(r.machine).toEqual(MACHINE);
    expect(r.details).toEqual({ reportContent: 'State Message Data', reportType: 'Full', date: Date.parse('2026-01-07T09:25:00Z'), version: '1.0', format: '1.0' });
    expect(r.messages).toHaveLength(4);
    expect(r.messages[1]).toEqual({
      messageTime: Date.parse('2026-01-07T09:20:42Z'), serialNumber: 232, topicId: '505fda07-b4f3-45fb-83d9-8642554e2773', topicType: 500,
      topicIdType: 3, user: '', userSid: '', stateId: 2, criticality: 0, userFlags: 0, params: ['200'],
    });
    expect(r.messages.map((m) => [m.serialNumber, m.topicType, m.topicIdType, m.stateId])).toEqual([[231, 501, 0, 2], [232, 500, 3, 2], [233, 500, 3, 3], [234, 300, 0, 2]]);
    expect(r.messages[0]!.messageTime).toBe(Date.parse('2026-01-07T09:15:42.125Z'));
    expect(encodeReport(r)).toBe(fx('state-report.xml'));
    expect(decodeReport(encodeReport(r))).toEqual(r);
  });

  it('goes to the flat layout and back: serials, times, topic ids, state ids survive', () => {
    const r = decodeReport(fx('state-report.xml'));
    // the 500's Param 200 is its scan package version, kept in the message's flags field (version x 2^32, times 2 for the sent-once bit)
    const want = FLAT.slice();
    want[MSG_STRIDE + 5] = 2 * 200 * 2 ** 32;
    expect(flatFromStateReport(r, topicIndexOf)).toEqual(want);
    const paramsOf = (type: number, state: number, topic: number) => (type === 500 && state === 2 && topic === 42 ? ['200'] : []);
    const again = stateReportFromFlat({ machine: MACHINE, date: Date.parse('2026-01-07T09:25:00Z'), msgs: FLAT, topicIdOf, paramsOf });
    expect(again).toEqual(r);
    expect(encodeReport(again)).toBe(fx('state-report.xml'));
  });

  it('a large random queue survives encode/decode exactly', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const types = [300, 301, 302, 402, 500, 501];
    const rows: number[][] = [];
    let serial = 1_000_000;
    let t = Date.parse('2026-03-29T00:59:59.999Z');
    for (let i = 0; i < 2000; i++) {
      const type = types[rnd(types.length)]!;
      const topic = type === 501 ? 0 : rnd(TOPICS[type]!.length);
      serial += 1 + rnd(3);
      t += rnd(90_000);
      rows.push([type, rnd(15), topic, serial, t]);
    }
    const flat = flatOf(rows);
    const report = stateReportFromFlat({ machine: { ...MACHINE, priority: null }, date: t, msgs: flat, topicIdOf });
    const xml = encodeReport(report);
    const back = decodeReport(xml);
    expect(back).toEqual(report);
    expect(flatFromStateReport(back, topicIndexOf)).toEqual(flat);
    expect(back.messages.every((m) => m.topicIdType === topicIdTypeOf(m.topicType))).toBe(true);
    // and through the whole message
    const m = buildMessage({
      header: requestHeader({ id: '{1}', endpoint: MP_ENDPOINT.RELAY, clientHost: 'WKS-0042', mpHost: 'mp1', sourceId: CLIENT_ID, sentTime: 'x', replyMode: 'Async', properties: [{ name: 'FileType', value: 'SMX' }] }),
      body: xml,
    });
    const o = openMessage(m.contentType, m.payload);
    expect(propertyOf(o.header, 'FileType')).toBe('SMX');
    expect(flatFromStateReport(decodeReport(o.body), topicIndexOf)).toEqual(flat);
  });

  it('reads the KB example with its XML declaration; IDType per topic', () => {
    const r = decodeReport(fx('state-report-kb.xml'));
    expect(r.machine.clientId).toBe('GUID:A1006D0E-CF56-41D1-A006-6330EFC39381');
    expect(r.details.date).toBe(Date.parse('2014-01-20T19:46:56.903Z'));
    expect(r.messages).toEqual([{
      messageTime: Date.parse('2014-01-20T17:18:55.573Z'), serialNumber: 232, topicId: '505fda07-b4f3-45fb-83d9-8642554e2773', topicType: 500,
      topicIdType: 3, user: '', userSid: '', stateId: 2, criticality: 0, userFlags: 0, params: ['200'],
    }]);
    expect([300, 301, 302, 402, 500, 501].map(topicIdTypeOf)).toEqual([0, 0, 0, 3, 3, 0]);
  });

  it('times: WMI date-time both ways, offsets in minutes', () => {
    expect(toDmtf(Date.parse('2014-01-20T17:18:55.573Z'))).toBe('20140120171855.573000+000');
    expect(toDmtf(0.5)).toBe('19700101000000.000500+000');
    expect(fromDmtf('20180327114736.143000+180', 'x')).toBe(Date.parse('2018-03-27T08:47:36.143Z'));
    expect(fromDmtf('20180327114736.143000-060', 'x')).toBe(Date.parse('2018-03-27T12:47:36.143Z'));
    for (const bad of ['20140120171855+000', '20141320171855.000000+000', '20140230171855.000000+000', '2014-01-20']) {
      expectWire(() => fromDmtf(bad, 'w'), 'SUCA_ERR_WIRE_FIELD', 'w');
    }
  });

  it('unknown topics, missing attributes and bad numbers are SUCA_ERR_WIRE_FIELD', () => {
    const r = decodeReport(fx('state-report.xml'));
    expectWire(() => flatFromStateReport(r, () => undefined), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[0]/Topic/@ID');
    const xml = fx('state-report.xml');
    expectWire(() => decodeReport(xml.replace('SerialNumber="232"', 'SerialNumber="-232"')), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[1]/@SerialNumber');
    expectWire(() => decodeReport(xml.replace('<State ID="3" Criticality="0"/>', '<State Criticality="0"/>')), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[2]/State');
    expectWire(() => decodeReport(xml.replace('MessageTime="20260107092140.500000+000"', 'MessageTime="yesterday"')), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[3]/@MessageTime');
    expectWire(() => stateReportFromFlat({ machine: MACHINE, date: 0, msgs: [...FLAT, 500], topicIdOf }), 'SUCA_ERR_WIRE_FIELD', 'Report');
  });
});

// ==== XML safety ==========================================================================================

describe('XML: DOCTYPE and entities refused', () => {
  const LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Report><ReportHeader>&lol2;</ReportHeader></Report>';
  const XXE = '<!DOCTYPE Msg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Msg><ID>&xxe;</ID><Body Length="2"/></Msg>';

  it('DOCTYPE with internal or external entities, in every decoder', () => {
    expectWire(() => decodeReport(LAUGHS), 'SUCA_ERR_WIRE_XML', 'Report');
    expectWire(() => decodeHeader(XXE), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeHeader('<!doctype Msg><Msg><ID>1</ID><Body Length="2"/></Msg>'), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeReplyAssignments('<!DOCTYPE ReplyAssignments SYSTEM "http://evil.test/x.dtd"><ReplyAssignments/>'), 'SUCA_ERR_WIRE_XML', 'ReplyAssignments');
    expectWire(() => decodePolicyBody('<!DOCTYPE Policy [<!ENTITY % p SYSTEM "http://evil.test/p">%p;]><Policy/>', { updateIndexOf: () => undefined }), 'SUCA_ERR_WIRE_XML', 'Policy');
    expectWire(() => decodeMpList('<?xml version="1.0"?>\n<!DOCTYPE MPList []>\n<MPList/>'), 'SUCA_ERR_WIRE_XML', 'MPList');
  });

  it('entity references are never expanded: only the predefined five and character references', () => {
    expectWire(() => decodeMpKeyInformation('<MPKEYINFORMATION><FQDN>&xxe;</FQDN><SITECODE>PS1</SITECODE></MPKEYINFORMATION>'), 'SUCA_ERR_WIRE_XML', 'MPKEYINFORMATION/FQDN');
    expectWire(() => decodeMpList('<MPList><MP Name="&lol;"/></MPList>'), 'SUCA_ERR_WIRE_XML', 'MPList/MP[0]/@Name');
    expectWire(() => decodeMpList('<MPList><MP Name="a&b"/></MPList>'), 'SUCA_ERR_WIRE_XML', 'MPList/MP[0]/@Name');
    expectWire(() => decodeMpList('<MPList><MP Name="&#0;"/></MPList>'), 'SUCA_ERR_WIRE_XML');
    expect(decodeMpList('<MPList><MP Name="&lt;&amp;&gt;&quot;&apos;&#65;&#x42;"/></MPList>').mps[0]!.name).toBe('<&>"\'AB');
  });

  it('malformed XML and a DOCTYPE inside a whole message', () => {
    expectWire(() => decodeHeader('<Msg><ID>1</ID>'), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeHeader('<Msg><ID>1</Msg></ID>'), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeReport('<Report/><Report/>'), 'SUCA_ERR_WIRE_XML', 'Report');
    expectWire(() => decodeReport('<Report a="1" a="2"/>'), 'SUCA_ERR_WIRE_XML', 'Report');
    expectWire(() => decodeReport('just text'), 'SUCA_ERR_WIRE_XML', 'Report');
    const m = encodeMessage({ header: XXE, body: '<A/>' });
    expectWire(() => openMessage(m.contentType, m.payload), 'SUCA_ERR_WIRE_XML', 'Msg');
    const n = buildMessage({ header: decodeHeader(fx('msg-header-relay.xml')), body: LAUGHS });
    const o = openMessage(n.contentType, n.payload);
    expectWire(() => decodeReport(o.body), 'SUCA_ERR_WIRE_XML', 'Report');
  });

  it("openMessage checks the header's Body range against the body", () => {
    const m = encodeMessage({ header: '<Msg><ID>{1}</ID><Body Type="ByteRange" Length="11" Offset="0" /></Msg>', body: '<A/>' });
    expectWire(() => openMessage(m.contentType, m.payload), 'SUCA_ERR_WIRE_FIELD', 'Msg/Body/@Length');
    const ok = encodeMessage({ header: '<Msg><ID>{1}</ID><Body Type="ByteRange" Length="10" Offset="0" /></Msg>', body: '<A/>' });
    expect(openMessage(ok.contentType, ok.payload).body).toBe('<A/>');
  });
});
