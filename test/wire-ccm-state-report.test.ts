// agent/wire/ccm: the Configuration Manager client messages: the state-message Report.

import { describe, expect, it } from 'vitest';
import { MSG_SERIAL, MSG_STATE_ID, MSG_STRIDE, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE } from '../agent/core/types.js';
import {
  MP_ENDPOINT, buildMessage, decodeReport, encodeReport, flatFromStateReport, fromDmtf, openMessage, propertyOf,
  requestHeader, stateReportFromFlat, toDmtf, topicIdTypeOf,
} from '../agent/wire/ccm/index.js';
import { fx, expectWire, CLIENT_ID, DEPLOYMENT_ID } from './helpers/ccm-fixtures.js';
import { UNKNOWN_TOPIC } from '../agent/wire/topics.js';

// ==== state messages ====================================================================================

describe('state-message Report', () => {
  const TOPICS: Record<number, readonly string[]> = {
    501: ['{C2D17964-BBDD-4339-B9F3-12D7205B39CC}'],
    500: Array.from({ length: 64 }, (_, i) =>
      i === 42 ? '505fda07-b4f3-45fb-83d9-8642554e2773' : i === 17 ? '8f1d3a2c-5b6e-4c7d-9e8f-0a1b2c3d4e5f' : `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`),
    300: [DEPLOYMENT_ID, '{3F2504E0-4F89-41D3-9A0C-0305E82C3302}'],
  };
  TOPICS[402] = TOPICS[500]!;
  TOPICS[301] = TOPICS[302] = TOPICS[300]!;
  const topicIdOf = (type: number, topic: number): string => TOPICS[type]![topic]!;
  const topicIndexOf = (type: number, id: string): number | undefined => {
    const i = TOPICS[type]?.indexOf(id) ?? -1;
    return i < 0 ? undefined : i;
  };
  const MACHINE = {
    clientInstalled: 1, clientType: 1, clientId: CLIENT_ID, clientVersion: '5.00.9128.1000', netbiosName: 'WKS-0042',
    codePage: 437, systemDefaultLcid: 1033, priority: 5,
  };
  /** Rows [topic type, state, topic, serial, time] in the agent's flat layout (other fields 0). */
  const flatOf = (rows: readonly (readonly number[])[]): number[] => {
    const out = new Array<number>(rows.length * MSG_STRIDE).fill(0);
    rows.forEach((r, i) => {
      const o = i * MSG_STRIDE;
      out[o + MSG_TOPIC_TYPE] = r[0]!;
      out[o + MSG_STATE_ID] = r[1]!;
      out[o + MSG_TOPIC] = r[2]!;
      out[o + MSG_SERIAL] = r[3]!;
      out[o + MSG_TIME] = r[4]!;
    });
    return out;
  };
  const FLAT = flatOf([
    [501, 2, 0, 231, Date.parse('2026-01-07T09:15:42.125Z')],
    [500, 2, 42, 232, Date.parse('2026-01-07T09:20:42Z')],
    [500, 3, 17, 233, Date.parse('2026-01-07T09:20:42Z')],
    [300, 2, 0, 234, Date.parse('2026-01-07T09:21:40.500Z')],
  ]);

  it('decodes the fixture to concrete values', () => {
    const r = decodeReport(fx('state-report.xml'));
    expect(r.machine).toEqual(MACHINE);
    expect(r.details).toEqual({ reportContent: 'State Message Data', reportType: 'Full', date: Date.parse('2026-01-07T09:25:00Z'), version: '1.0', format: '1.0' });
    expect(r.messages).toHaveLength(4);
    expect(r.messages[1]).toEqual({
      messageTime: Date.parse('2026-01-07T09:20:42Z'), serialNumber: 232, topicId: '505fda07-b4f3-45fb-83d9-8642554e2773', topicType: 500,
      topicIdType: 3, user: '', userSid: '', stateId: 2, criticality: 0, userFlags: 0, params: ['200'],
    });
    expect(r.messages.map((m) => [m.serialNumber, m.topicType, m.topicIdType, m.stateId])).toEqual([[231, 501, 0, 2], [232, 500, 3, 2], [233, 500, 3, 3], [234, 300, 0, 2]]);
    expect(r.messages[0]!.messageTime).toBe(Date.parse('2026-01-07T09:15:42.125Z'));
    expect(encodeReport(r)).toBe(fx('state-report.xml'));
    expect(decodeReport(encodeReport(r))).toEqual(r);
  });

  it('goes to the flat layout and back: serials, times, topic ids, state ids survive', () => {
    const r = decodeReport(fx('state-report.xml'));
    // the 500's Param 200 is its scan package version, kept in the message's flags field (version x 2^32, times 2 for the sent-once bit)
    const want = FLAT.slice();
    want[MSG_STRIDE + 5] = 2 * 200 * 2 ** 32;
    expect(flatFromStateReport(r, topicIndexOf)).toEqual(want);
    const paramsOf = (type: number, state: number, topic: number) => (type === 500 && state === 2 && topic === 42 ? ['200'] : []);
    const again = stateReportFromFlat({ machine: MACHINE, date: Date.parse('2026-01-07T09:25:00Z'), msgs: FLAT, topicIdOf, paramsOf });
    expect(again).toEqual(r);
    expect(encodeReport(again)).toBe(fx('state-report.xml'));
  });

  it('a large random queue survives encode/decode exactly', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const types = [300, 301, 302, 402, 500, 501];
    const rows: number[][] = [];
    let serial = 1_000_000;
    let t = Date.parse('2026-03-29T00:59:59.999Z');
    for (let i = 0; i < 2000; i++) {
      const type = types[rnd(types.length)]!;
      const topic = type === 501 ? 0 : rnd(TOPICS[type]!.length);
      serial += 1 + rnd(3);
      t += rnd(90_000);
      rows.push([type, rnd(15), topic, serial, t]);
    }
    const flat = flatOf(rows);
    const report = stateReportFromFlat({ machine: { ...MACHINE, priority: null }, date: t, msgs: flat, topicIdOf });
    const xml = encodeReport(report);
    const back = decodeReport(xml);
    expect(back).toEqual(report);
    expect(flatFromStateReport(back, topicIndexOf)).toEqual(flat);
    expect(back.messages.every((m) => m.topicIdType === topicIdTypeOf(m.topicType))).toBe(true);
    // and through the whole message
    const m = buildMessage({
      header: requestHeader({ id: '{1}', endpoint: MP_ENDPOINT.RELAY, clientHost: 'WKS-0042', mpHost: 'mp1', sourceId: CLIENT_ID, sentTime: 'x', replyMode: 'Async', properties: [{ name: 'FileType', value: 'SMX' }] }),
      body: xml,
    });
    const o = openMessage(m.contentType, m.payload);
    expect(propertyOf(o.header, 'FileType')).toBe('SMX');
    expect(flatFromStateReport(decodeReport(o.body), topicIndexOf)).toEqual(flat);
  });

  it('reads the KB example with its XML declaration; IDType per topic', () => {
    const r = decodeReport(fx('state-report-kb.xml'));
    expect(r.machine.clientId).toBe('GUID:A1006D0E-CF56-41D1-A006-6330EFC39381');
    expect(r.details.date).toBe(Date.parse('2014-01-20T19:46:56.903Z'));
    expect(r.messages).toEqual([{
      messageTime: Date.parse('2014-01-20T17:18:55.573Z'), serialNumber: 232, topicId: '505fda07-b4f3-45fb-83d9-8642554e2773', topicType: 500,
      topicIdType: 3, user: '', userSid: '', stateId: 2, criticality: 0, userFlags: 0, params: ['200'],
    }]);
    expect([300, 301, 302, 402, 500, 501].map(topicIdTypeOf)).toEqual([0, 0, 0, 3, 3, 0]);
  });

  it('times: WMI date-time both ways, offsets in minutes', () => {
    expect(toDmtf(Date.parse('2014-01-20T17:18:55.573Z'))).toBe('20140120171855.573000+000');
    expect(toDmtf(0.5)).toBe('19700101000000.000500+000');
    expect(fromDmtf('20180327114736.143000+180', 'x')).toBe(Date.parse('2018-03-27T08:47:36.143Z'));
    expect(fromDmtf('20180327114736.143000-060', 'x')).toBe(Date.parse('2018-03-27T12:47:36.143Z'));
    for (const bad of ['20140120171855+000', '20141320171855.000000+000', '20140230171855.000000+000', '2014-01-20']) {
      expectWire(() => fromDmtf(bad, 'w'), 'SUCA_ERR_WIRE_FIELD', 'w');
    }
  });

  it('unknown topics, missing attributes and bad numbers are SUCA_ERR_WIRE_FIELD', () => {
    const r = decodeReport(fx('state-report.xml'));
    expectWire(() => flatFromStateReport(r, () => undefined), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[0]/Topic/@ID');
    // a receiver that takes every topic (the stub MP) gives the unknown ones the index it names, the rest as read
    const kept = flatFromStateReport(r, () => undefined, UNKNOWN_TOPIC);
    expect(kept.length).toBe(r.messages.length * MSG_STRIDE);
    for (let i = 0; i < r.messages.length; i++) {
      expect(kept[i * MSG_STRIDE + MSG_TOPIC]).toBe(UNKNOWN_TOPIC);
      expect(kept[i * MSG_STRIDE + MSG_SERIAL]).toBe(r.messages[i]!.serialNumber);
    }
    const xml = fx('state-report.xml');
    expectWire(() => decodeReport(xml.replace('SerialNumber="232"', 'SerialNumber="-232"')), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[1]/@SerialNumber');
    expectWire(() => decodeReport(xml.replace('<State ID="3" Criticality="0"/>', '<State Criticality="0"/>')), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[2]/State');
    expectWire(() => decodeReport(xml.replace('MessageTime="20260107092140.500000+000"', 'MessageTime="yesterday"')), 'SUCA_ERR_WIRE_FIELD', 'Report/ReportBody/StateMessage[3]/@MessageTime');
    expectWire(() => stateReportFromFlat({ machine: MACHINE, date: 0, msgs: [...FLAT, 500], topicIdOf }), 'SUCA_ERR_WIRE_FIELD', 'Report');
  });
});

describe('Report: the fast reader and the general one on hand-written messages', () => {
  const head = '<Report><ReportHeader><Identification><Machine><ClientInstalled>1</ClientInstalled><ClientType>1</ClientType>' +
    '<ClientID>GUID:7E0AF1C5-0C2A-4E5B-9B1D-3B6F2D8E9A10</ClientID><ClientVersion>5.00.9132.1000</ClientVersion><NetBIOSName>PC1</NetBIOSName>' +
    '<CodePage>437</CodePage><SystemDefaultLCID>1033</SystemDefaultLCID><Priority>5</Priority></Machine></Identification>' +
    '<ReportDetails><ReportContent>State Message Data</ReportContent><ReportType>Full</ReportType><Date>20260105101500.000000+000</Date>' +
    '<Version>1.0</Version><Format>1.0</Format></ReportDetails></ReportHeader><ReportBody>';
  const msg = (serial: number, time: string, params: string) =>
    `<StateMessage MessageTime="${time}" SerialNumber="${serial}"><Topic ID="{SRC}" Type="501" IDType="0" User="" UserSID=""/>` +
    `<State ID="4" Criticality="0"/><UserParameters Flags="0" Count="0"${params}</StateMessage>`;
  const msgs = [
    msg(1, '20260105100000.000000+000', '/>'),
    msg(2, '20260105100000.000000+000', '></UserParameters>'),
    msg(3, '20260105130000.250000+180', '><Param></Param></UserParameters>'),
    msg(4, '20260105100000.000001-060', '><Param>7</Param><Param></Param><Param>-2145107934</Param></UserParameters>'),
  ];
  const want = [
    { params: [], messageTime: Date.UTC(2026, 0, 5, 10) },
    { params: [], messageTime: Date.UTC(2026, 0, 5, 10) },
    { params: [''], messageTime: Date.UTC(2026, 0, 5, 10) + 250 },
    { params: ['7', '', '-2145107934'], messageTime: Date.UTC(2026, 0, 5, 11) + 0.001 },
  ];

  it('reads every form of UserParameters and a MessageTime with an offset the same both ways', () => {
    const fast = decodeReport(head + msgs.join('') + '</ReportBody></Report>');
    // a line feed between the messages is outside the fast reader's form: the general reader reads this one
    const general = decodeReport(head + msgs.join('\n') + '</ReportBody></Report>');
    for (const r of [fast, general]) expect(r.messages.map((m) => ({ params: m.params, messageTime: m.messageTime }))).toEqual(want);
    expect(fast).toEqual(general);
  });
});
