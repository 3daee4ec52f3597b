// Property tests (fast-check) of the CCM message bodies the agent and the stub
// MP exchange: decode(encode(x)) is x for generated registration requests,
// RequestAssignments, ReplyAssignments, both location requests and replies,
// state-message Reports and the policy bodies (settings and deployments).
// Together with wire-ccm-properties (MPList, MPKEYINFORMATION, registration
// response, <Msg> header, mutated fixtures) this covers every CCM body.
//
// Strings are generated without surrounding whitespace: the decoders trim
// element text (real values never carry it), and escaping is what these
// properties are about: & < > " ' CR LF tab, ]]> and non-BMP characters sit
// inside the values.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ClientSettings, DeploymentPolicy } from '../agent/core/types.js';
import {
  decodeClientRegistrationRequest, decodeContentLocationReply, decodeContentLocationRequest, decodePolicyBody, decodeReplyAssignments,
  decodeReport, decodeRequestAssignments, decodeWsusLocationReply, decodeWsusLocationRequest, encodeClientRegistrationRequest,
  encodeContentLocationReply, encodeContentLocationRequest, encodePolicyBody, encodeReplyAssignments, encodeReport, encodeRequestAssignments,
  encodeWsusLocationReply, encodeWsusLocationRequest, type PolicyBody,
} from '../agent/wire/ccm/index.js';

const RUNS = { numRuns: 150 };
const xmlChar = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', ']]>', 'é', '\u{1F600}', 'a', 'Z', '0', '-'),
  fc.string({ unit: 'binary', maxLength: 1 }).filter((c) => /^[\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u.test(c)),
);
/** Text as the decoders return it: trimmed. */
const str = fc.array(xmlChar, { maxLength: 10 }).map((a) => a.join('').trim());
const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const guid = fc.uuid().map((g) => g.toUpperCase());
/** Epoch ms a WMI (DMTF) time carries: whole ms within years 1970..9999. */
const dmtfMs = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59) });
const location = fc.record({
  adSite: str,
  forest: str,
  domain: str,
  ipAddresses: fc.array(fc.record({ subnetAddress: str, address: str }), { maxLength: 3 }),
});

describe('CCM bodies: decode(encode(x)) is x', () => {
  it('ClientRegistrationRequest', () => {
    const data = fc.record({
      hashAlgorithm: str.filter((s) => s !== ''),
      smsId: str,
      requestType: str.filter((s) => s !== ''),
      timeStamp: str,
      agentIdentity: str,
      agentVersion: str,
      agentType: int32,
      encryptionCertificate: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex').toUpperCase()),
      signingCertificate: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex').toUpperCase()),
      netbiosName: str,
      fqdn: str,
      localeId: int32,
      internetFlag: int32,
    });
    const req = fc.record({ data, signature: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b).toString('hex').toUpperCase()) });
    fc.assert(fc.property(req, (x) => {
      expect(decodeClientRegistrationRequest(encodeClientRegistrationRequest(x))).toEqual(x);
    }), RUNS);
  });

  it('RequestAssignments', () => {
    const r = fc.record({
      clientId: str,
      fqdn: str,
      netbiosName: str,
      policySource: str,
      resourceType: str.filter((s) => s !== ''),
      requestType: str.filter((s) => s !== ''),
      ack: fc.boolean(),
      serverCookie: str,
    });
    fc.assert(fc.property(r, (x) => {
      expect(decodeRequestAssignments(encodeRequestAssignments(x))).toEqual(x);
    }), RUNS);
  });

  it('ReplyAssignments', () => {
    const a = fc.record({
      assignmentId: str,
      slot: fc.option(fc.integer({ min: 0, max: 1000 })),
      policyId: str.filter((s) => s !== ''),
      policyVersion: fc.integer({ min: 0, max: 99999 }),
      policyType: str,
      policyCategory: str,
      policyFlags: uint32,
      // a URL: it travels in CDATA, which cannot carry CR (the encoder refuses it)
      policyLocation: str.map((s) => s.replace(/\r/g, "")),
    });
    const r = fc.record({ clientId: str, policySource: str, resourceType: str.filter((s) => s !== ''), serverCookie: str, assignments: fc.array(a, { maxLength: 4 }) });
    fc.assert(fc.property(r, (x) => {
      expect(decodeReplyAssignments(encodeReplyAssignments(x))).toEqual(x);
    }), RUNS);
  });

  it('WSUSLocationRequest and WSUSLocationReply', () => {
    const req = fc.record({ contentId: str, contentVersion: uint32, siteCode: str, onInternet: fc.boolean(), location });
    fc.assert(fc.property(req, (x) => {
      expect(decodeWsusLocationRequest(encodeWsusLocationRequest(x))).toEqual(x);
    }), RUNS);
    const rec = fc.record({ wsusUrl: str.filter((s) => s !== ''), serverName: str, version: uint32 });
    const reply = fc.record({ sites: fc.array(fc.record({ siteCode: str, records: fc.array(rec, { maxLength: 3 }) }), { maxLength: 3 }) });
    fc.assert(fc.property(reply, (x) => {
      expect(decodeWsusLocationReply(encodeWsusLocationReply(x))).toEqual(x);
    }), RUNS);
  });

  it('ContentLocationRequest and ContentLocationReply', () => {
    const req = fc.record({ packageId: str, version: uint32, siteCode: str, locationType: str.filter((s) => s !== ''), location });
    fc.assert(fc.property(req, (x) => {
      expect(decodeContentLocationRequest(encodeContentLocationRequest(x))).toEqual(x);
    }), RUNS);
    const rec = fc.record({
      url: str.filter((s) => s !== ''),
      signatureUrl: fc.option(str.filter((s) => s !== '')),
      serverName: str,
      dpType: str,
      locality: str,
      version: fc.option(str.filter((s) => s !== '')),
    });
    const reply = fc.record({ sites: fc.array(fc.record({ siteCode: str, records: fc.array(rec, { maxLength: 3 }) }), { maxLength: 3 }) });
    fc.assert(fc.property(reply, (x) => {
      expect(decodeContentLocationReply(encodeContentLocationReply(x))).toEqual(x);
    }), RUNS);
  });

  it('Report (state messages): the fast path and the general one agree with the encoder', () => {
    const msg = fc.record({
      messageTime: dmtfMs,
      serialNumber: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      topicId: str,
      topicType: int32,
      topicIdType: int32,
      user: str,
      userSid: str,
      stateId: int32,
      criticality: int32,
      userFlags: int32,
      params: fc.array(str, { maxLength: 3 }),
    });
    const report = fc.record({
      machine: fc.record({
        clientInstalled: int32,
        clientType: int32,
        clientId: str,
        clientVersion: str,
        netbiosName: str,
        codePage: int32,
        systemDefaultLcid: int32,
        priority: fc.option(int32),
      }),
      details: fc.record({ reportContent: str, reportType: str, date: dmtfMs, version: str, format: str }),
      messages: fc.array(msg, { maxLength: 5 }),
    });
    fc.assert(fc.property(report, (x) => {
      expect(decodeReport(encodeReport(x))).toEqual(x);
    }), RUNS);
  });

  it('policy bodies: software updates client settings and update CI assignments', () => {
    const guids = new Map<number, string>();
    const index = new Map<string, number>();
    const updateGuidOf = (u: number): string => {
      let g = guids.get(u);
      if (g === undefined) {
        g = `00000000-0000-4000-8000-${u.toString(16).padStart(12, '0')}`;
        guids.set(u, g);
        index.set(g, u);
      }
      return g;
    };
    const updateIndexOf = (g: string): number | undefined => index.get(g.toLowerCase());
    const ms = fc.integer({ min: 0, max: 2 ** 40 });
    const settings: fc.Arbitrary<ClientSettings> = fc.record({
      softwareUpdatesEnabled: fc.boolean(),
      policyPollingInterval: ms,
      stateMessageCycle: ms,
      scanInterval: ms,
      reevaluationInterval: ms,
      scheduleRandomDelay: ms,
      firstScanWindow: ms,
      scanTtl: ms,
      scanRetryDelay: ms,
      scanRetryCount: fc.integer({ min: 0, max: 1000 }),
      supSwitchDelay: ms,
      scanRetryCodes: fc.array(uint32, { maxLength: 6 }),
      cacheSizeBytes: fc.integer({ min: 0, max: 2 ** 45 }),
      cacheMinRetention: ms,
      restartCountdown: ms,
      downloadRandomDelay: ms,
      deadlineRandomDelay: ms,
      disableDeadlineRandomization: fc.boolean(),
      gracePeriod: ms,
    });
    const sb = fc.record({ policyId: str.filter((s) => s !== ''), policyVersion: fc.integer({ min: 1, max: 999 }), policySource: str, settings }).map((b): PolicyBody => ({ ...b, kind: 'settings' }));
    fc.assert(fc.property(sb, (b) => {
      expect(decodePolicyBody(encodePolicyBody(b, updateGuidOf), { updateIndexOf })).toEqual(b);
    }), RUNS);

    const whole = (t: number) => Math.floor(t / 1000) * 1000;
    const deployment: fc.Arbitrary<DeploymentPolicy> = fc
      .record({
        index: fc.integer({ min: 0, max: 19 }),
        id: guid.map((g) => `{${g}}`),
        name: str,
        updates: fc.uniqueArray(fc.integer({ min: 0, max: 65534 }), { maxLength: 8 }),
        available: dmtfMs.map(whole),
        deadline: fc.option(dmtfMs.map(whole)),
        suppressRestart: fc.boolean(),
        userInstallFraction: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
        localTime: fc.boolean(),
        overrideServiceWindows: fc.boolean(),
        rebootOutsideOfServiceWindows: fc.boolean(),
        maxRunTime: fc.integer({ min: 0, max: 9999 }).map((m) => m * 60_000),
      });
    const db = fc.record({ policyVersion: fc.integer({ min: 1, max: 999 }), policySource: str, deployment }).map((b): PolicyBody => ({ ...b, policyId: b.deployment.id, kind: 'deployment' }));
    fc.assert(
      fc.property(db, (b) => {
        if (b.kind !== 'deployment') return;
        const d = b.deployment;
        const back = decodePolicyBody(encodePolicyBody(b, updateGuidOf), { updateIndexOf, scenarioDeployment: () => ({ index: d.index, userInstallFraction: d.userInstallFraction }) });
        expect(back).toEqual(b);
      }),
      RUNS,
    );
  });
});
