// The scan-trigger table of client-behaviour.md ("Scan triggers", seed 003),
// as data: whether a trigger is forced and whether it contacts WSUS.

import type { ClientSettings, ScanTrigger } from './types.js';

export type OnlineRule = 'always' | 'ttl' | 'never';

export interface ScanRule {
  readonly forced: boolean;
  readonly online: OnlineRule;
}

export const SCAN_RULES: Readonly<Record<ScanTrigger, ScanRule>> = {
  // random within 2 h of the first policy that enables software updates; online
  firstPolicy: { forced: false, online: 'always' },
  schedule: { forced: false, online: 'ttl' },
  reevaluation: { forced: false, online: 'ttl' },
  newDeployment: { forced: false, online: 'ttl' },
  beforeDownload: { forced: false, online: 'ttl' },
  beforeInstall: { forced: false, online: 'ttl' },
  // Software Updates Scan Cycle / Deployment Evaluation Cycle: forced online, reset the TTL
  manualScan: { forced: true, online: 'always' },
  deploymentEvaluation: { forced: true, online: 'always' },
  afterInstall: { forced: true, online: 'never' },
  afterRestart: { forced: true, online: 'never' },
  // a retry carries the rules of the scan that failed; this entry is never used as a rule
  retry: { forced: false, online: 'ttl' },
};

/** Whether a scan under `rule` at time t contacts WSUS. */
export function scanIsOnline(rule: ScanTrigger, settings: ClientSettings, lastOnlineScanAt: number, t: number): boolean {
  const r = SCAN_RULES[rule].online;
  if (r === 'always') return true;
  if (r === 'never') return false;
  return t - lastOnlineScanAt >= settings.scanTtl;
}
