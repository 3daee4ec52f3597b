// Shared by the test/wire-ccm-*.test.ts files: the fixtures of
// test/fixtures/ccm, the typed values they hold, the fixture key and WireError helpers.

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { WireError, MAX_PAYLOAD_BYTES, type WireErrorCode } from '../../agent/wire/errors.js';
import type { ClientSettings, DeploymentPolicy } from '../../agent/core/types.js';
import { MSG_SERIAL, MSG_STATE_ID, MSG_STRIDE, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE } from '../../agent/core/types.js';
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
} from '../../agent/wire/ccm/index.js';

export const fx = (name: string): string => readFileSync(new URL(`../fixtures/ccm/${name}`, import.meta.url), 'utf8');

/** The WireError `fn` throws (fails the test when it throws nothing or something else). */
export function wireError(fn: () => unknown): WireError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('expected a WireError, nothing was thrown');
}

export function expectWire(fn: () => unknown, code: WireErrorCode, where?: string | RegExp): WireError {
  const e = wireError(fn);
  expect(e.code).toBe(code);
  if (typeof where === 'string') expect(e.where).toBe(where);
  else if (where !== undefined) expect(e.where).toMatch(where);
  return e;
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

export const CLIENT_ID = 'GUID:5A1C2E3F-1111-4A2B-8C3D-0123456789AB';
export const DEPLOYMENT_ID = '{3F2504E0-4F89-41D3-9A0C-0305E82C3301}';
export const T_AVAILABLE = Date.parse('2026-01-06T00:00:00Z');
export const T_DEADLINE = Date.parse('2026-01-08T00:00:00Z');

export const SETTINGS: ClientSettings = {
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
  disableDeadlineRandomization: true,
  gracePeriod: 0,
};

export const DEPLOYMENT: DeploymentPolicy = {
  index: 0,
  id: DEPLOYMENT_ID,
  name: 'Monthly security updates & SSU',
  updates: [3, 17, 42],
  available: T_AVAILABLE,
  deadline: T_DEADLINE,
  suppressRestart: true,
  userInstallFraction: 0.25,
  localTime: false,
  overrideServiceWindows: false,
  rebootOutsideOfServiceWindows: false,
  maxRunTime: 3_600_000,
};

// the test key of the fixtures (1024 bits), and one generated 2048-bit key (the client's size)
export const FIXTURE_KEY: ClientKey = clientKey(createPrivateKey(fx('test-key-rsa1024.pem')));
