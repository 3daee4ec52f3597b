// Shared by the test/wire-ccm-*.test.ts files: the fixtures of
// test/fixtures/ccm, the typed values they hold, the fixture key and WireError helpers.

import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import type { ClientSettings, DeploymentPolicy } from '../../agent/core/types.js';
import { clientKey, type ClientKey } from '../../agent/wire/ccm/index.js';

export const fx = (name: string): string => readFileSync(new URL(`../fixtures/ccm/${name}`, import.meta.url), 'utf8');

export { wireError, expectWire } from './wire-error.js';

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
