// The MP's fast path for <Report> bodies reads exactly what the general
// parser reads, and hands anything unusual to it.

import { describe, expect, it } from 'vitest';
import { decodeReport, encodeReport, stateReportFromFlat } from '../agent/wire/ccm/index.js';
import { WireError } from '../agent/wire/errors.js';

const T = Date.parse('2026-01-05T10:20:30.123Z');
const report = stateReportFromFlat({
  machine: { clientInstalled: 1, clientType: 1, clientId: 'GUID:0F6F2E3C-1B2A-4C3D-8E4F-5A6B7C8D9E0F', clientVersion: '5.00.9132.1000', netbiosName: 'PC1', codePage: 437, systemDefaultLcid: 1033, priority: 5 },
  date: T,
  msgs: [500, 2, 7, 41, T, 0, 501, 3, 0, 42, T + 1000, 0, 300, 1, 0, 43, T + 2000, 0],
  topicIdOf: (type, topic) => (type === 500 ? `{UPDATE-${topic}}` : type === 501 ? '{SOURCE}' : `{DEP-${topic}}`),
  paramsOf: (type) => (type === 500 ? ['200', 'a b'] : []),
});

describe('state report: fast and general decoding agree', () => {
  it('the compact form (fast path) and a spaced-out form (general path) decode the same', () => {
    const compact = encodeReport(report);
    const spaced = compact.replace(/></g, '>\n  <');
    const commented = compact.replace('<ReportBody>', '<ReportBody><!-- a comment -->');
    expect(decodeReport(compact)).toEqual(report);
    expect(decodeReport(spaced).messages).toEqual(report.messages);
    expect(decodeReport(commented)).toEqual(report);
  });

  it('an entity in an attribute, or broken markup inside the body, takes the general path and its checks', () => {
    const compact = encodeReport(report);
    const withEntity = compact.replace('User=""', 'User="a&amp;b"');
    expect(decodeReport(withEntity).messages[0]!.user).toBe('a&b');
    expect(() => decodeReport(compact.replace('</StateMessage>', '</StateMesage>'))).toThrow(WireError);
    expect(() => decodeReport(compact.replace('SerialNumber="41"', 'SerialNumber="x"'))).toThrow(WireError);
    expect(() => decodeReport(compact.replace('<ReportBody>', '<!DOCTYPE r [<!ENTITY x "y">]><ReportBody>'))).toThrow(/DOCTYPE/);
  });
});
