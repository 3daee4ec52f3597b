// UserParameters of 500 and 501 (issue 11 item 7): the scan package version
// on both, the scan's last error code on a 501; the stub MP keeps each
// client's last scan state and error (the site's v_UpdateScanStatus
// LastScanState / LastErrorCode). The wire side is tested with a report
// written by hand in this file from the documented layout (KB
// track-software-update-compliance-assessment: <UserParameters Flags=".."
// Count=".."><Param>..</Param></UserParameters>).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR } from './helpers/kit.js';
import { decodeReport, flatFromStateReport, scanParamsToWire, stateReportFromFlat, encodeReport } from '../agent/wire/ccm/bodies.js';
import { MSG_FLAGS, MSG_STRIDE, msgParam, paramCode, paramVersion } from '../agent/core/types.js';
import { SCAN_STATE, TOPIC } from '../agent/core/constants.js';
import { StubCore } from '../server-stub/core/index.js';
import { scenario } from './helpers/kit.js';

const BUSY = 0x80244022; // HTTP 503, a retry code

describe('500 / 501 UserParameters', () => {
  it('a failed scan\'s 501 carries its error; every 500 / 501 the scan package version', () => {
    const k = new CoreKit({ deployments: [], faults: [{ target: 'wsus', from: '0', to: '3h', code: '0x80244022' }] });
    k.runFor(6 * HOUR);
    const version = k.stub.catalogue.updateSourceVersion;
    const sent = k.of('state.sent').filter((r) => r.e.ok);
    let s501 = 0;
    let s500 = 0;
    for (const r of sent) {
      const m = r.e.msgs;
      for (let i = 0; i < m.length; i += MSG_STRIDE) {
        const p = msgParam(m[i + MSG_FLAGS]!);
        if (m[i]! === TOPIC.UPDATE_SOURCE_SCAN) {
          s501++;
          expect(paramVersion(p)).toBe(version);
          expect(paramCode(p)).toBe(m[i + 1] === SCAN_STATE.PENDING_RETRY ? BUSY : 0);
        } else if (m[i]! === TOPIC.UPDATE_DETECTION) {
          s500++;
          expect(p).toBe(paramVersion(p) * 2 ** 32);
          expect(paramVersion(p)).toBe(version);
        } else expect(p).toBe(0);
      }
    }
    expect(s501).toBeGreaterThan(1);
    expect(s500).toBe(k.stub.catalogue.size);
  });

  it('the MP keeps the last scan state and error per client', () => {
    const k = new CoreKit({ clients: 2, deployments: [], faults: [{ target: 'wsus', from: '0', to: '10d', code: '0x80244022' }] });
    k.runFor(3 * HOUR);
    for (let c = 0; c < 2; c++) {
      expect(k.stub.mp.scanState[c]).toBe(SCAN_STATE.PENDING_RETRY);
      expect(k.stub.mp.scanError[c]).toBe(BUSY | 0);
    }
    const ok = new CoreKit({ deployments: [] });
    ok.runFor(DAY);
    expect(ok.stub.mp.scanState[0]).toBe(SCAN_STATE.COMPLETED);
    expect(ok.stub.mp.scanError[0]).toBe(0);
  });

  it('on the wire: Param 1 the version, a 501\'s Param 2 the error as a signed decimal', () => {
    expect(scanParamsToWire(500, 200 * 2 ** 32)).toEqual(['200']);
    expect(scanParamsToWire(501, 200 * 2 ** 32 + BUSY)).toEqual(['200', '-2145107934']);
    expect(scanParamsToWire(300, 5)).toEqual([]);
    // a report written by hand: a 501 "pending retry" after 0x80244022, scan package version 7
    const xml = '<Report><ReportHeader><Identification><Machine><ClientInstalled>1</ClientInstalled><ClientType>1</ClientType>' +
      '<ClientID>GUID:7E0AF1C5-0C2A-4E5B-9B1D-3B6F2D8E9A10</ClientID><ClientVersion>5.00.9132.1000</ClientVersion><NetBIOSName>PC1</NetBIOSName>' +
      '<CodePage>437</CodePage><SystemDefaultLCID>1033</SystemDefaultLCID><Priority>5</Priority></Machine></Identification>' +
      '<ReportDetails><ReportContent>State Message Data</ReportContent><ReportType>Full</ReportType><Date>20260105101500.000000+000</Date>' +
      '<Version>1.0</Version><Format>1.0</Format></ReportDetails></ReportHeader><ReportBody>' +
      '<StateMessage MessageTime="20260105100000.000000+000" SerialNumber="9"><Topic ID="{SRC}" Type="501" IDType="0" User="" UserSID=""/>' +
      '<State ID="4" Criticality="0"/><UserParameters Flags="0" Count="2"><Param>7</Param><Param>-2145107934</Param></UserParameters></StateMessage>' +
      '</ReportBody></Report>';
    const flat = flatFromStateReport(decodeReport(xml), () => 0);
    const p = msgParam(flat[MSG_FLAGS]!);
    expect(paramVersion(p)).toBe(7);
    expect(paramCode(p)).toBe(BUSY);
    // the MP takes the error from it
    const stub = new StubCore(scenario({ deployments: [] }).stub);
    stub.mp.relay(0, stub.cfg.start, flat);
    expect(stub.mp.scanState[0]).toBe(4);
    expect(stub.mp.scanError[0]).toBe(-2145107934);
    // and the agent's encoder writes the same params back
    const back = encodeReport(stateReportFromFlat({
      machine: decodeReport(xml).machine, date: Date.parse('2026-01-05T10:15:00Z'), msgs: flat, topicIdOf: () => '{SRC}',
      paramsOf: (type, _s, _t, param) => scanParamsToWire(type, param),
    }));
    expect(back).toContain('<UserParameters Flags="0" Count="2"><Param>7</Param><Param>-2145107934</Param></UserParameters>');
  });

  it('odd or missing params are read as none, never a crash', () => {
    const base = (params: string) => '<Report><ReportHeader><Identification><Machine><ClientID>GUID:X</ClientID></Machine></Identification>' +
      '<ReportDetails><Date>20260105101500.000000+000</Date></ReportDetails></ReportHeader><ReportBody>' +
      '<StateMessage MessageTime="20260105100000.000000+000" SerialNumber="1"><Topic ID="{SRC}" Type="501" IDType="0" User="" UserSID=""/>' +
      `<State ID="3" Criticality="0"/>${params}</StateMessage></ReportBody></Report>`;
    for (const p of ['', '<UserParameters Flags="0" Count="0"/>', '<UserParameters Flags="0" Count="2"><Param>x</Param><Param>0x8024</Param></UserParameters>']) {
      const flat = flatFromStateReport(decodeReport(base(p)), () => 0);
      expect(msgParam(flat[MSG_FLAGS]!)).toBe(0);
    }
  });
});
