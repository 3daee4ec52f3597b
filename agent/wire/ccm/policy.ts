// Policy bodies as a real MP serves them (GET /SMS_MP/.sms_pol?...): a
// <Policy> document whose PolicyRule/PolicyAction of type WMI-XML holds WMI
// instances, each <instance class=".."><property name=".." type="<CIM type>"
// [key="true"]><value>..</value></property>..</instance> (the form the public
// tools read the network-access-account policy in). The client's policy agent
// writes these instances into root\ccm\policy\machine; the classes and their
// property names are the client's, documented by what the client shows in WMI
// and by the server-side classes they are made from (SMS_UpdatesAssignment,
// SMS_CIAssignmentBaseClass in the SDK; "About client settings").
//
// Three instance classes:
// - CCM_SoftwareUpdatesClientConfig (client settings, software updates):
//   SiteSettingsKey (key, 1), ComponentName 'SmsSoftwareUpdate', Enabled.
//   The other agent settings have no confirmed property of this class in
//   public material (the scan and re-evaluation schedules are schedule-token
//   strings, ScanSchedule/EvaluationSchedule, whose encoding we do not write
//   yet; the restart countdown, cache size, polling interval and state-message
//   cycle live in other client-settings classes). They travel as extra
//   properties named SUCA_<field> (uint64 ms, as the agent holds them): a real
//   MP sends none, and the agent then keeps its defaults. Unknown properties
//   are ignored when reading.
// - CCM_UpdateCIAssignment (a software-update deployment): AssignmentID (key),
//   AssignmentName, AssignedCIs (one <CI> XML document per update: its model
//   names the update as SUM_<update GUID>; the exact CI document a site writes
//   is not public, so we write <ID>, <ModelName>, <ModelVersion> and read only
//   the GUID after SUM_), StartTime and EnforcementDeadline (DMTF, with
//   UseGMTTimes true: we write UTC), SuppressReboot (bit 1 workstations, bit 2
//   servers, SMS_UpdatesAssignment), NotifyUser, UserUIExperience, DPLocality.
//   Agent fields with no real property: `index` (the scenario's numbering: the
//   transport maps AssignmentID to it), `userInstallFraction` (the scenario's
//   model of users, not policy: the HTTP transport takes it from the scenario,
//   0 against a real MP). Deadline randomization is a client setting
//   (Computer Agent "Disable deadline randomization"), carried in the settings
//   instance as SUCA_disableDeadlineRandomization (boolean; its real
//   client-side property is not public; absent from a real MP: the default).
// - CCM_ServiceWindow (a maintenance window of a collection the client is
//   in): ServiceWindowID (key), ServiceWindowType, Schedules (SMS schedule
//   tokens, decoded and encoded in schedule-token.ts), SUCA_OffsetDays.
//
// The compact form of earlier versions (our own property names, update
// indices) is dropped. Measured (node 20, this VM, 20,000 rounds after
// warm-up): a 50-update deployment is 3.7 KB compact vs 23.8 KB real (UTF-16),
// encoded in 6.7 vs 83 us and parsed in 187 vs 557 us; settings 162 vs 184 us.
// The compact form is faster per parse, but neither cost is per client: the
// stub encodes and hashes a body once per (policy, version), and the agent
// parses each distinct body once (mp-wire.ts caches by SHA-256, 14 us for
// 24 KB), so an option for it would save nothing a run can see while keeping a
// second form that no real MP serves.

import { WireError } from '../errors.js';
import type { ClientSettings, DeploymentPolicy, ServiceWindowPolicy } from '../../core/types.js';
import { decodeSchedules, encodeSchedules } from './schedule-token.js';
import { attr, escAttr, escText, fromDmtf, kids, parseBool, parseRoot, parseUint, reqAttr, text, toDmtf, type XEl } from './xml.js';
import { formatPolicyVersion, parsePolicyVersion } from './bodies.js';

const fieldError = (msg: string, where: string): WireError => new WireError('SUCA_ERR_WIRE_FIELD', msg, where);

/** CIM type numbers (wbemcli.h CIMTYPE_ENUMERATION) used in the `type` attribute of a property. */
export const CIM = { SINT32: 3, REAL64: 5, STRING: 8, BOOLEAN: 11, UINT32: 19, UINT64: 21, DATETIME: 101, ARRAY: 0x2000 } as const;

export const SETTINGS_CLASS = 'CCM_SoftwareUpdatesClientConfig';
export const DEPLOYMENT_CLASS = 'CCM_UpdateCIAssignment';
export const SERVICE_WINDOW_CLASS = 'CCM_ServiceWindow';
/** Prefix of the extra properties that carry agent settings with no real property. */
export const SUCA_PREFIX = 'SUCA_';

/** Our policy categories in ReplyAssignments (a real site's category names for these policies are not public). */
export const POLICY_CATEGORY = { SETTINGS: 'SUCA_Settings', DEPLOYMENT: 'SUCA_Deployment', SERVICE_WINDOW: 'SUCA_ServiceWindow', STATE_RESYNC: 'SUCA_StateResync' } as const;

/**
 * The site's state-resync request in ReplyAssignments (server-stub/core/resync.ts):
 * how a real site asks is not public, so the request rides as a policy
 * assignment of category STATE_RESYNC whose PolicyVersion is the request
 * number. A client that does not know the category ignores it, as a real one
 * ignores a policy category it has no handler for.
 */
export const STATE_RESYNC_POLICY_ID = '{SUCA-STATE-RESYNC}';

// ---- instances ---------------------------------------------------------------------------

export interface WmiProperty {
  readonly name: string;
  readonly type: number;
  readonly key?: boolean;
  /** no value: [] (a NULL property) */
  readonly values: readonly string[];
}

export interface WmiInstance {
  readonly className: string;
  readonly properties: readonly WmiProperty[];
}

export function encodeInstance(i: WmiInstance): string {
  let s = `<instance class="${escAttr(i.className)}">`;
  for (const p of i.properties) {
    s += `<property name="${escAttr(p.name)}" type="${p.type}"${p.key === true ? ' key="true"' : ''}`;
    s += p.values.length === 0 ? '/>' : `>${p.values.map((v) => `<value>${escText(v)}</value>`).join('')}</property>`;
  }
  return s + '</instance>';
}

function instanceIn(el: XEl, where: string): WmiInstance {
  return {
    className: reqAttr(el, 'class', where),
    properties: kids(el, 'property').map((p, i) => {
      const pw = `${where}/property[${i}]`;
      const name = reqAttr(p, 'name', pw);
      const t = attr(p, 'type', pw);
      return {
        name,
        type: t === undefined ? CIM.STRING : parseUint(t, `${pw}/@type`),
        key: (attr(p, 'key', pw) ?? '').toLowerCase() === 'true',
        values: kids(p, 'value').map((v, j) => text(v, `${where}/property[@name="${name}"]/value[${j}]`)),
      };
    }),
  };
}

export interface PolicyDocument {
  readonly policyId: string;
  readonly policyVersion: number;
  /** 'SMS:<site code>' */
  readonly policySource: string;
  readonly policyCategory: string;
  readonly instances: readonly WmiInstance[];
}

/** A <Policy> document: one PolicyRule with one WMI-XML PolicyAction holding the instances. */
export function encodePolicyDocument(d: PolicyDocument): string {
  return (
    `<Policy PolicyID="${escAttr(d.policyId)}" PolicyVersion="${formatPolicyVersion(d.policyVersion)}" PolicyType="Machine"` +
    ` PolicySource="${escAttr(d.policySource)}" PolicyCategory="${escAttr(d.policyCategory)}"><PolicyRule PolicyRuleID="${escAttr(d.policyId)}">` +
    `<PolicyAction PolicyActionType="WMI-XML">${d.instances.map(encodeInstance).join('')}</PolicyAction></PolicyRule></Policy>`
  );
}

/** Every WMI-XML instance of a policy document (other action types, e.g. WMI-MOF, are skipped). */
export function decodePolicyDocument(xml: string): PolicyDocument {
  const w = 'Policy';
  const root = parseRoot(xml, w);
  const instances: WmiInstance[] = [];
  kids(root, 'PolicyRule').forEach((rule, r) => {
    kids(rule, 'PolicyAction').forEach((action, a) => {
      const aw = `${w}/PolicyRule[${r}]/PolicyAction[${a}]`;
      const type = attr(action, 'PolicyActionType', aw) ?? 'WMI-XML';
      if (type.toUpperCase() !== 'WMI-XML') return;
      kids(action, 'instance').forEach((inst, i) => instances.push(instanceIn(inst, `${aw}/instance[${i}]`)));
    });
  });
  return {
    policyId: reqAttr(root, 'PolicyID', w),
    policyVersion: parsePolicyVersion(attr(root, 'PolicyVersion', w) ?? '0', `${w}/@PolicyVersion`),
    policySource: attr(root, 'PolicySource', w) ?? '',
    policyCategory: attr(root, 'PolicyCategory', w) ?? '',
    instances,
  };
}

// ---- property helpers ----------------------------------------------------------------------

const prop = (name: string, type: number, values: readonly string[], key = false): WmiProperty => ({ name, type, values, ...(key ? { key: true } : {}) });
const str = (name: string, v: string, key = false): WmiProperty => prop(name, CIM.STRING, [v], key);
const bool = (name: string, v: boolean): WmiProperty => prop(name, CIM.BOOLEAN, [v ? 'true' : 'false']);
function uint(name: string, v: number, type: number = CIM.UINT32): WmiProperty {
  const max = type === CIM.UINT32 ? 0xffffffff : Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(v) || v < 0 || v > max) throw fieldError(`not an unsigned integer: ${v}`, `instance/property[@name="${name}"]`);
  return prop(name, type, [String(v)]);
}
const time = (name: string, v: number | null): WmiProperty => prop(name, CIM.DATETIME, v === null ? [] : [toDmtf(v)]);

class Props {
  private readonly byName = new Map<string, WmiProperty>();
  constructor(readonly inst: WmiInstance, readonly where: string) {
    for (const p of inst.properties) this.byName.set(p.name.toLowerCase(), p);
  }
  private pw(name: string): string {
    return `${this.where}/property[@name="${name}"]`;
  }
  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }
  private scalar(name: string): string | null | undefined {
    const p = this.byName.get(name.toLowerCase());
    if (p === undefined) return undefined;
    if (p.values.length === 0) return null;
    if (p.values.length > 1) throw fieldError('more than one <value> for a scalar', this.pw(name));
    return p.values[0]!.trim();
  }
  string(name: string): string | undefined {
    const v = this.scalar(name);
    return v === null ? '' : v;
  }
  bool(name: string): boolean | undefined {
    const v = this.scalar(name);
    return v === undefined || v === null ? undefined : parseBool(v, this.pw(name));
  }
  uint(name: string): number | undefined {
    const v = this.scalar(name);
    return v === undefined || v === null ? undefined : parseUint(v, this.pw(name));
  }
  /** undefined: absent; null: present without a value */
  time(name: string): number | null | undefined {
    const v = this.scalar(name);
    return v === undefined || v === null ? v : fromDmtf(v, this.pw(name));
  }
  array(name: string): readonly string[] | undefined {
    return this.byName.get(name.toLowerCase())?.values;
  }
}

// ---- CCM_SoftwareUpdatesClientConfig ------------------------------------------------------

/** Agent settings with no real property (carried as SUCA_<field>), in milliseconds unless noted. */
const SUCA_SETTINGS = [
  'policyPollingInterval', 'stateMessageCycle', 'scanInterval', 'reevaluationInterval', 'scheduleRandomDelay', 'firstScanWindow', 'scanTtl',
  'scanRetryDelay', 'scanRetryCount', 'supSwitchDelay', 'cacheSizeBytes', 'cacheMinRetention', 'restartCountdown', 'downloadRandomDelay', 'deadlineRandomDelay',
  'gracePeriod',
] as const satisfies readonly (keyof ClientSettings)[];
/**
 * Optional agent settings: written only when set (not 0), read as absent when
 * missing, so bodies without them (older sites, real MPs) keep their meaning
 * (the product's default, No) and byte-identical encoding.
 */
const SUCA_OPTIONAL_SETTINGS = ['installOtherDeploymentsWithin', 'updateSourceVersion', 'restartFinalCountdown', 'restartReminderInterval'] as const satisfies readonly (keyof ClientSettings)[];
// a field of ClientSettings missing here or below fails to compile
type Covered = (typeof SUCA_SETTINGS)[number] | 'softwareUpdatesEnabled' | 'scanRetryCodes' | 'disableDeadlineRandomization' | (typeof SUCA_OPTIONAL_SETTINGS)[number];
const _settingsCovered: Record<Exclude<keyof ClientSettings, Covered>, never> = {};
void _settingsCovered;

export function settingsInstance(s: ClientSettings): WmiInstance {
  const properties: WmiProperty[] = [
    prop('SiteSettingsKey', CIM.UINT32, ['1'], true),
    str('ComponentName', 'SmsSoftwareUpdate'),
    bool('Enabled', s.softwareUpdatesEnabled),
  ];
  for (const f of SUCA_SETTINGS) properties.push(uint(SUCA_PREFIX + f, s[f], CIM.UINT64));
  properties.push(bool(`${SUCA_PREFIX}disableDeadlineRandomization`, s.disableDeadlineRandomization));
  for (const f of SUCA_OPTIONAL_SETTINGS) {
    const v = s[f];
    if (v !== undefined && v !== 0) properties.push(uint(SUCA_PREFIX + f, v, CIM.UINT64));
  }
  properties.push(prop(`${SUCA_PREFIX}scanRetryCodes`, CIM.UINT32 | CIM.ARRAY, s.scanRetryCodes.map((c, i) => {
    if (!Number.isSafeInteger(c) || c < 0 || c > 0xffffffff) throw fieldError(`not a uint32: ${c}`, `instance/property[@name="SUCA_scanRetryCodes"]/value[${i}]`);
    return String(c);
  })));
  return { className: SETTINGS_CLASS, properties };
}

/**
 * Settings from a CCM_SoftwareUpdatesClientConfig instance. A property the
 * instance lacks (every SUCA_ one, from a real MP) takes its value from
 * `defaults`; without defaults it is a SUCA_ERR_WIRE_FIELD.
 */
export function settingsFromInstance(inst: WmiInstance, defaults?: ClientSettings, where = `instance[@class="${SETTINGS_CLASS}"]`): ClientSettings {
  const p = new Props(inst, where);
  const need = <K extends keyof ClientSettings>(f: K, v: ClientSettings[K] | undefined, prop: string): ClientSettings[K] => {
    if (v !== undefined) return v;
    if (defaults !== undefined) return defaults[f];
    throw fieldError('missing property', `${where}/property[@name="${prop}"]`);
  };
  const out: Record<string, unknown> = {
    softwareUpdatesEnabled: need('softwareUpdatesEnabled', p.bool('Enabled'), 'Enabled'),
  };
  for (const f of SUCA_SETTINGS) out[f] = need(f, p.uint(SUCA_PREFIX + f), SUCA_PREFIX + f);
  out.disableDeadlineRandomization = need('disableDeadlineRandomization', p.bool(`${SUCA_PREFIX}disableDeadlineRandomization`), `${SUCA_PREFIX}disableDeadlineRandomization`);
  for (const f of SUCA_OPTIONAL_SETTINGS) {
    const v = p.uint(SUCA_PREFIX + f) ?? defaults?.[f];
    if (v !== undefined) out[f] = v;
  }
  const codes = p.array(`${SUCA_PREFIX}scanRetryCodes`);
  out.scanRetryCodes = need('scanRetryCodes', codes?.map((c, i) => {
    const n = parseUint(c, `${where}/property[@name="SUCA_scanRetryCodes"]/value[${i}]`);
    if (n > 0xffffffff) throw fieldError(`not a uint32: ${c}`, `${where}/property[@name="SUCA_scanRetryCodes"]/value[${i}]`);
    return n;
  }), `${SUCA_PREFIX}scanRetryCodes`);
  return out as unknown as ClientSettings;
}

// ---- CCM_UpdateCIAssignment -----------------------------------------------------------------

/** One entry of AssignedCIs: a CI document naming the update by its GUID. */
export function assignedCi(updateGuid: string): string {
  const g = updateGuid.replace(/^\{|\}$/g, '').toLowerCase();
  return `<CI><ID>SUM_${g}</ID><ModelName>SUM_${g}</ModelName><ModelVersion>1</ModelVersion></CI>`;
}

const SUM_GUID = /SUM_\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?/;

/** The update GUID an AssignedCIs entry names (its ModelName, else its ID), lower-case; null when it names none. */
export function updateGuidOfCi(ci: string): string | null {
  const model = /<ModelName>([^<]*)<\/ModelName>/.exec(ci)?.[1] ?? '';
  const m = SUM_GUID.exec(model) ?? SUM_GUID.exec(ci);
  return m === null ? null : m[1]!.toLowerCase();
}

export interface DeploymentInstanceInput {
  readonly deployment: DeploymentPolicy;
  /** catalogue index -> update GUID */
  readonly updateGuidOf: (update: number) => string;
}

export function deploymentInstance({ deployment: d, updateGuidOf }: DeploymentInstanceInput): WmiInstance {
  return {
    className: DEPLOYMENT_CLASS,
    properties: [
      str('AssignmentID', d.id, true),
      str('AssignmentName', d.name),
      prop('AssignedCIs', CIM.STRING | CIM.ARRAY, d.updates.map((u) => assignedCi(updateGuidOf(u)))),
      time('StartTime', d.available),
      time('EnforcementDeadline', d.deadline),
      // UseGMTTimes false: the times are the client's local wall clock (written with +000, read back as such)
      bool('UseGMTTimes', !d.localTime),
      bool('OverrideServiceWindows', d.overrideServiceWindows),
      bool('RebootOutsideOfServiceWindows', d.rebootOutsideOfServiceWindows),
      uint('SuppressReboot', d.suppressRestartFor ?? (d.suppressRestart ? 3 : 0)),
      bool('NotifyUser', true),
      bool('UserUIExperience', true),
      // DPLocality: the SMS_UpdatesAssignment flags; the value a site writes by default is not public
      uint('DPLocality', 0),
      // the real maximum run time is a property of each update's CI (not public in policy form): one value per deployment here
      uint(`${SUCA_PREFIX}maxRunTime`, d.maxRunTime, CIM.UINT64),
    ],
  };
}

export interface DeploymentFromInstanceInput {
  /** update GUID (lower-case, no braces) -> catalogue index; undefined: not in the catalogue (skipped) */
  readonly updateIndexOf: (guid: string) => number | undefined;
  /** what the scenario says of this deployment (its index, its users); undefined against a real MP */
  readonly scenario?: { readonly index: number; readonly userInstallFraction: number };
  /** index for a deployment the scenario does not know */
  readonly fallbackIndex: number;
}

/**
 * A deployment from a CCM_UpdateCIAssignment instance. Times are read as UTC
 * (DMTF carries the offset; UseGMTTimes false with a local time is read as
 * its stated offset too).
 */
/** Max run time of "other" updates (2103+): 60 min, when policy carries none. */
const DEFAULT_MAX_RUN_TIME = 60 * 60_000;

export function deploymentFromInstance(inst: WmiInstance, x: DeploymentFromInstanceInput, where = `instance[@class="${DEPLOYMENT_CLASS}"]`): DeploymentPolicy {
  const p = new Props(inst, where);
  const id = p.string('AssignmentID');
  if (id === undefined || id === '') throw fieldError('missing AssignmentID', `${where}/property[@name="AssignmentID"]`);
  const start = p.time('StartTime');
  const updates: number[] = [];
  for (const ci of p.array('AssignedCIs') ?? []) {
    const g = updateGuidOfCi(ci);
    const u = g === null ? undefined : x.updateIndexOf(g);
    if (u !== undefined && !updates.includes(u)) updates.push(u);
  }
  const suppress = p.uint('SuppressReboot') ?? 0;
  return {
    index: x.scenario?.index ?? x.fallbackIndex,
    id,
    name: p.string('AssignmentName') ?? '',
    updates,
    available: start ?? 0,
    deadline: p.time('EnforcementDeadline') ?? null,
    suppressRestart: (suppress & 3) === 3,
    // workstations or servers only: the bits as they are
    ...((suppress & 3) === 1 || (suppress & 3) === 2 ? { suppressRestartFor: suppress & 3 } : {}),
    userInstallFraction: x.scenario?.userInstallFraction ?? 0,
    localTime: p.bool('UseGMTTimes') === false,
    overrideServiceWindows: p.bool('OverrideServiceWindows') ?? false,
    rebootOutsideOfServiceWindows: p.bool('RebootOutsideOfServiceWindows') ?? false,
    maxRunTime: p.uint(`${SUCA_PREFIX}maxRunTime`) ?? DEFAULT_MAX_RUN_TIME,
  };
}

// ---- CCM_ServiceWindow --------------------------------------------------------------------

/** SUCA_OffsetDays: the monthly-by-weekday offset, whose real encoding is not public (schedule-token.ts). */
const OFFSET_DAYS = `${SUCA_PREFIX}OffsetDays`;

/**
 * A maintenance window as the client's policy holds it: ServiceWindowID
 * (key), ServiceWindowType (1 all deployments, 2 programs, 3 reboot required,
 * 4 software updates, 5 task sequences, 6 non-working hours: SMS_ServiceWindow
 * and the client's CCM_ServiceWindow), Schedules (schedule tokens, which carry
 * the start, the recurrence, IsGMT and the duration), and SUCA_OffsetDays
 * when an offset is set. No Duration property is written: the tokens carry
 * it (a `Duration` in minutes, when a token has none, is read as a fallback).
 */
export function serviceWindowInstance(w: ServiceWindowPolicy): WmiInstance {
  const properties = [
    str('ServiceWindowID', w.id, true),
    uint('ServiceWindowType', w.type),
    str('Schedules', encodeSchedules(w.schedules, `instance[@class="${SERVICE_WINDOW_CLASS}"]/property[@name="Schedules"]`)),
  ];
  if (w.offsetDays !== 0) properties.push(uint(OFFSET_DAYS, w.offsetDays));
  return { className: SERVICE_WINDOW_CLASS, properties };
}

export function serviceWindowFromInstance(inst: WmiInstance, where = `instance[@class="${SERVICE_WINDOW_CLASS}"]`): ServiceWindowPolicy {
  const p = new Props(inst, where);
  const id = p.string('ServiceWindowID');
  if (id === undefined || id === '') throw fieldError('missing ServiceWindowID', `${where}/property[@name="ServiceWindowID"]`);
  const sw = `${where}/property[@name="Schedules"]`;
  const text = p.string('Schedules');
  if (text === undefined || text === '') throw fieldError('missing Schedules', sw);
  let schedules = decodeSchedules(text, sw);
  const minutes = p.uint('Duration');
  if (minutes !== undefined) schedules = schedules.map((t) => (t.durationMinutes === 0 ? { ...t, durationMinutes: minutes } : t));
  const offsetDays = p.uint(OFFSET_DAYS) ?? 0;
  if (offsetDays > 31) throw fieldError(`offset of ${offsetDays} days`, `${where}/property[@name="${OFFSET_DAYS}"]`);
  return { id, type: p.uint('ServiceWindowType') ?? 1, schedules, offsetDays };
}

// ---- the two bodies the agent loop reads -------------------------------------------------------

interface PolicyBodyBase {
  readonly policyId: string;
  readonly policyVersion: number;
  /** 'SMS:<site code>' */
  readonly policySource: string;
}

export type PolicyBody =
  | (PolicyBodyBase & { readonly kind: 'settings'; readonly settings: ClientSettings })
  | (PolicyBodyBase & { readonly kind: 'deployment'; readonly deployment: DeploymentPolicy })
  | (PolicyBodyBase & { readonly kind: 'window'; readonly window: ServiceWindowPolicy });

export function encodePolicyBody(b: PolicyBody, updateGuidOf: (update: number) => string): string {
  return encodePolicyDocument({
    policyId: b.policyId,
    policyVersion: b.policyVersion,
    policySource: b.policySource,
    policyCategory: b.kind === 'settings' ? POLICY_CATEGORY.SETTINGS : b.kind === 'window' ? POLICY_CATEGORY.SERVICE_WINDOW : POLICY_CATEGORY.DEPLOYMENT,
    instances: [b.kind === 'settings' ? settingsInstance(b.settings) : b.kind === 'window' ? serviceWindowInstance(b.window) : deploymentInstance({ deployment: b.deployment, updateGuidOf })],
  });
}

export interface DecodePolicyBodyInput {
  readonly settingsDefaults?: ClientSettings;
  readonly updateIndexOf: (guid: string) => number | undefined;
  readonly scenarioDeployment?: (id: string) => { readonly index: number; readonly userInstallFraction: number } | undefined;
  readonly fallbackIndex?: number;
}

/** The settings, the deployment or the service window of a policy body, told apart by the instance class (the first one found). */
export function decodePolicyBody(xml: string, x: DecodePolicyBodyInput): PolicyBody {
  const doc = decodePolicyDocument(xml);
  const base = { policyId: doc.policyId, policyVersion: doc.policyVersion, policySource: doc.policySource };
  for (const [i, inst] of doc.instances.entries()) {
    const iw = `Policy/PolicyRule/PolicyAction/instance[${i}]`;
    if (inst.className === SETTINGS_CLASS) return { ...base, kind: 'settings', settings: settingsFromInstance(inst, x.settingsDefaults, iw) };
    if (inst.className === DEPLOYMENT_CLASS) {
      const id = new Props(inst, iw).string('AssignmentID') ?? '';
      const sc = x.scenarioDeployment?.(id);
      return { ...base, kind: 'deployment', deployment: deploymentFromInstance(inst, { updateIndexOf: x.updateIndexOf, fallbackIndex: x.fallbackIndex ?? 0, ...(sc !== undefined ? { scenario: sc } : {}) }, iw) };
    }
    if (inst.className === SERVICE_WINDOW_CLASS) return { ...base, kind: 'window', window: serviceWindowFromInstance(inst, iw) };
  }
  throw fieldError(`no ${SETTINGS_CLASS}, ${DEPLOYMENT_CLASS} or ${SERVICE_WINDOW_CLASS} instance`, 'Policy');
}
