// Policy bodies in the real WMI instance form (agent/wire/ccm/policy.ts):
// golden fixtures written by hand from the classes' documented properties,
// bodies shaped as a site serves them (declaration, whitespace, a MOF action,
// properties we do not read, none of our SUCA_ ones), and round trips.

import { describe, expect, it } from 'vitest';
import type { ClientSettings, DeploymentPolicy } from '../agent/core/types.js';
import {
  decodePolicyBody, decodePolicyDocument, encodeInstance, encodePolicyBody,
  updateGuidOfCi, type PolicyBody,
} from '../agent/wire/ccm/index.js';
import { fx, wireError, DEPLOYMENT, DEPLOYMENT_ID, SETTINGS } from './helpers/ccm-fixtures.js';

const GUIDS: Record<number, string> = {
  3: 'a1b2c3d4-0003-4e5f-8a9b-000000000003',
  17: 'a1b2c3d4-0017-4e5f-8a9b-000000000017',
  42: 'a1b2c3d4-0042-4e5f-8a9b-000000000042',
};
const INDEX = new Map(Object.entries(GUIDS).map(([u, g]) => [g, Number(u)]));
const updateGuidOf = (u: number): string => GUIDS[u] ?? `00000000-0000-4000-8000-${u.toString(16).padStart(12, '0')}`;
const updateIndexOf = (g: string): number | undefined => INDEX.get(g) ?? (/^00000000-0000-4000-8000-/.test(g) ? parseInt(g.slice(24), 16) : undefined);

// what the scenario says of its deployment (not policy)
const scenarioDeployment = (id: string) => (id.toUpperCase() === DEPLOYMENT_ID ? { index: 0, userInstallFraction: 0.25 } : undefined);

describe('policy bodies in the real WMI instance form', () => {
  it('CCM_SoftwareUpdatesClientConfig: the golden body decodes to the settings and re-encodes byte for byte', () => {
    const xml = fx('policy-settings.xml');
    const b = decodePolicyBody(xml, { updateIndexOf });
    expect(b).toEqual({ policyId: '{SUCA-SETTINGS}', policyVersion: 2, policySource: 'SMS:PS1', kind: 'settings', settings: SETTINGS });
    expect(encodePolicyBody(b, updateGuidOf)).toBe(xml);
    // the real properties a site writes are there, with their CIM types
    expect(xml).toContain('<property name="SiteSettingsKey" type="19" key="true"><value>1</value></property>');
    expect(xml).toContain('<property name="ComponentName" type="8"><value>SmsSoftwareUpdate</value></property>');
    expect(xml).toContain('<property name="Enabled" type="11"><value>true</value></property>');
  });

  it('CCM_UpdateCIAssignment: the golden body names updates by GUID (SUM_), times in DMTF with UseGMTTimes', () => {
    const xml = fx('policy-deployment.xml');
    const b = decodePolicyBody(xml, { updateIndexOf, scenarioDeployment });
    expect(b).toEqual({ policyId: DEPLOYMENT_ID, policyVersion: 1, policySource: 'SMS:PS1', kind: 'deployment', deployment: DEPLOYMENT });
    expect(encodePolicyBody(b, updateGuidOf)).toBe(xml);
    const doc = decodePolicyDocument(xml);
    const cis = doc.instances[0]!.properties.find((p) => p.name === 'AssignedCIs')!;
    expect(cis.type).toBe(8 | 0x2000);
    expect(cis.values.map(updateGuidOfCi)).toEqual([GUIDS[3], GUIDS[17], GUIDS[42]]);
    // an optional deployment: EnforcementDeadline without a value
    const optional: PolicyBody = { policyId: DEPLOYMENT_ID, policyVersion: 3, policySource: 'SMS:PS1', kind: 'deployment', deployment: { ...DEPLOYMENT, deadline: null, updates: [], suppressRestart: false } };
    const enc = encodePolicyBody(optional, updateGuidOf);
    expect(enc).toContain('<property name="EnforcementDeadline" type="101"/>');
    expect(enc).toContain('<property name="SuppressReboot" type="19"><value>0</value></property>');
    expect(decodePolicyBody(enc, { updateIndexOf, scenarioDeployment })).toEqual(optional);
  });

  it('a deployment as a site serves it: declaration, whitespace, MOF action skipped, unknown properties and CIs, no SUCA_ properties', () => {
    const b = decodePolicyBody(fx('policy-deployment-site.xml'), { updateIndexOf, fallbackIndex: 7 });
    expect(b.kind).toBe('deployment');
    if (b.kind !== 'deployment') return;
    expect(b.policyVersion).toBe(3);
    expect(b.deployment).toEqual({
      index: 7, // not a deployment of the scenario: the transport's slot
      id: '{7E1A9C40-55D2-4B9E-A0F1-2C3D4E5F6A7B}',
      name: 'Servers - 2026-01',
      updates: [17], // the update of another catalogue is skipped
      available: Date.parse('2026-01-13T18:00:00Z'),
      deadline: Date.parse('2026-01-20T18:00:00Z'),
      suppressRestart: false, // SuppressReboot 2: servers only
      suppressRestartFor: 2,
      userInstallFraction: 0, // no scenario: no users modelled
      localTime: false, // UseGMTTimes true
      overrideServiceWindows: false, // absent: windows apply
      rebootOutsideOfServiceWindows: false,
      maxRunTime: 3_600_000, // absent: the 60 min default
    });
  });

  it('client settings as a site serves them: only the real properties, the rest from the defaults', () => {
    const b = decodePolicyBody(fx('policy-settings-site.xml'), { updateIndexOf, settingsDefaults: SETTINGS });
    expect(b).toMatchObject({ kind: 'settings', policyVersion: 12, settings: { ...SETTINGS, softwareUpdatesEnabled: false } });
    // without defaults, the first missing property is named
    const e = wireError(() => decodePolicyBody(fx('policy-settings-site.xml'), { updateIndexOf }));
    expect(e.code).toBe('SUCA_ERR_WIRE_FIELD');
    expect(e.where).toMatch(/property\[@name="SUCA_policyPollingInterval"\]/);
  });

  it('round trips of many deployments and settings (seeded)', () => {
    let x = 0x2545f491;
    const rnd = (n: number): number => {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      return (x >>> 0) % n;
    };
    for (let i = 0; i < 300; i++) {
      const d: DeploymentPolicy = {
        index: rnd(20),
        id: `{${rnd(1e9)}-X}`,
        name: ['a & b', '<x>', 'é"q\'', ''][rnd(4)]!,
        updates: [...new Set(Array.from({ length: rnd(6) }, () => rnd(5000)))],
        available: Date.UTC(2020 + rnd(10), rnd(12), 1 + rnd(28), rnd(24), rnd(60), rnd(60)),
        deadline: rnd(3) === 0 ? null : Date.UTC(2030, rnd(12), 1 + rnd(28)),
        suppressRestart: rnd(2) === 0,
        userInstallFraction: rnd(100) / 100,
        localTime: rnd(2) === 0,
        overrideServiceWindows: rnd(2) === 0,
        rebootOutsideOfServiceWindows: rnd(2) === 0,
        maxRunTime: (5 + rnd(9995)) * 60_000,
      };
      const body: PolicyBody = { policyId: d.id, policyVersion: 1 + rnd(9), policySource: 'SMS:X', kind: 'deployment', deployment: d };
      const back = decodePolicyBody(encodePolicyBody(body, updateGuidOf), { updateIndexOf, scenarioDeployment: () => ({ index: d.index, userInstallFraction: d.userInstallFraction }) });
      expect(back).toEqual(body);
      const s: ClientSettings = { ...SETTINGS, softwareUpdatesEnabled: rnd(2) === 0, disableDeadlineRandomization: rnd(2) === 0, scanInterval: rnd(1e9), scanRetryCount: rnd(10), scanRetryCodes: Array.from({ length: rnd(4) }, () => rnd(0xffffffff)) };
      const sb: PolicyBody = { policyId: '{S}', policyVersion: 2, policySource: '', kind: 'settings', settings: s };
      expect(decodePolicyBody(encodePolicyBody(sb, updateGuidOf), { updateIndexOf })).toEqual(sb);
    }
  });

  it('values that cannot be encoded or decoded are SUCA_ERR_WIRE_FIELD naming the property', () => {
    const settings = (s: Partial<ClientSettings>): PolicyBody => ({ policyId: '{S}', policyVersion: 1, policySource: '', kind: 'settings', settings: { ...SETTINGS, ...s } });
    expect(wireError(() => encodePolicyBody(settings({ scanInterval: 1.5 }), updateGuidOf)).where).toMatch(/SUCA_scanInterval/);
    expect(wireError(() => encodePolicyBody(settings({ scanRetryCodes: [0x1_0000_0000] }), updateGuidOf)).where).toMatch(/SUCA_scanRetryCodes"\]\/value\[0\]$/);
    const xml = fx('policy-settings.xml');
    expect(wireError(() => decodePolicyBody(xml.replace('<value>true</value>', '<value>yes</value>'), { updateIndexOf })).where).toMatch(/Enabled/);
    expect(wireError(() => decodePolicyBody(xml.replace('<value>4</value>', '<value>4</value><value>5</value>'), { updateIndexOf })).where).toMatch(/SUCA_scanRetryCount/);
    expect(wireError(() => decodePolicyBody(xml.replace(/CCM_SoftwareUpdatesClientConfig/, 'CCM_Other'), { updateIndexOf })).where).toBe('Policy');
    expect(wireError(() => decodePolicyBody(fx('policy-deployment.xml').replace('20260108000000.000000+000', '2026-01-08'), { updateIndexOf })).where).toMatch(/EnforcementDeadline/);
    expect(wireError(() => decodePolicyBody(fx('policy-deployment.xml').replace(/<property name="AssignmentID"[^]*?<\/property>/, ''), { updateIndexOf })).where).toMatch(/AssignmentID/);
  });
});
