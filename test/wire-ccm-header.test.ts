// agent/wire/ccm: the Configuration Manager client messages: the <Msg> header.

import { describe, expect, it } from 'vitest';
import {
  MP_ENDPOINT, decodeHeader, encodeHeader, endpointOf, packBody, propertyOf, publicKeyBlob, replyHeader,
  requestHeader, verifyMessage, type MsgHeader,
} from '../agent/wire/ccm/index.js';
import { fx, expectWire, CLIENT_ID, FIXTURE_KEY } from './helpers/ccm-fixtures.js';

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
