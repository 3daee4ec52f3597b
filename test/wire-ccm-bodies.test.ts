// agent/wire/ccm: the Configuration Manager client messages: the bodies (registration,
// assignments, policy, location, MP list and key information) against the fixtures.

import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import {
  contentUrl, contentUrls, decodeClientRegistrationRequest, decodeClientRegistrationResponse,
  decodeContentLocationReply, decodeContentLocationRequest, decodeMpKeyInformation, decodeMpList,
  decodeReplyAssignments, decodeRequestAssignments, decodeWsusLocationReply, decodeWsusLocationRequest,
  encodeClientRegistrationRequest, encodeClientRegistrationResponse, encodeContentLocationReply,
  encodeContentLocationRequest, encodeMpKeyInformation, encodeMpList, encodeReplyAssignments,
  encodeRequestAssignments, encodeUtf16Document, encodeWsusLocationReply, encodeWsusLocationRequest,
  parsePolicyRequestPath, policyHash, policyLocationUrl, publicKeyBlob, registrationSignedData, resolvePolicyLocation,
  verifyData, wsusUrls,
} from '../agent/wire/ccm/index.js';
import { fx, expectWire, CLIENT_ID, DEPLOYMENT_ID, FIXTURE_KEY } from './helpers/ccm-fixtures.js';

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

  it('a real MP\'s answer when no DP has the content (the shape of a public client log, "Processing 0 locations"): no content URL, so the client waits for content', () => {
    // written by hand from the log: boundary groups, an empty ContentInfo, a FALLBACK site with no location records
    const xml = '<ContentLocationReply SchemaVersion="1.00" BGRVersion="1"><BoundaryGroups BoundaryGroupListRetrieveTime="2021-01-19T13:27:45.467" IsOnVPN="0">' +
      '<DOINCServers/></BoundaryGroups><ContentInfo/><Sites><Site><MPSite SiteCode="ABC" MasterSiteCode="ABC" SiteLocality="FALLBACK"/>' +
      '<LocationRecords/></Site></Sites><RelatedContentIDs/></ContentLocationReply>';
    const r = decodeContentLocationReply(xml);
    expect(r.sites).toEqual([{ siteCode: 'ABC', records: [] }]);
    expect(contentUrls(r)).toEqual([]);
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
