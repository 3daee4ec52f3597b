// GET /metrics on the stub servers: Prometheus text format 0.0.4, each role's
// families plus the shared ones, counter values that follow what was done,
// label values escaped, and every line well-formed.

import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startStubServers, type StubServers } from '../server-stub/http/index.js';
import { escapeLabelValue } from '../server-stub/http/metrics.js';
import { clientHeaders, encodeRequest } from '../agent/wire/wusp/codec.js';
import { MSG_STRIDE, MSG_SERIAL, MSG_STATE_ID, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE } from '../agent/core/types.js';
import { DETECT, TOPIC } from '../agent/core/constants.js';
import { scenario } from './helpers/kit.js';

const sc = scenario({ clients: 5 });
let servers: StubServers | undefined;
afterAll(async () => {
  await servers?.close();
});
servers = await startStubServers({ config: sc.stub, logger: pino({ level: 'silent' }), clock: () => sc.start });
const s = servers;

/** Exposition lines: HELP, TYPE, or a sample (name, optional labels with escaped values, a number). */
const HELP = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (?:[^\\\n]|\\\\|\\n)*$/;
const TYPE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/;
const LABEL = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"`;
const SAMPLE = new RegExp(String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?:${LABEL}(?:,${LABEL})*)?\})? (-?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|NaN|[+-]Inf)$`);

interface Scrape {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  /** sample line (without the value) -> value */
  readonly samples: Map<string, number>;
  /** family -> type */
  readonly types: Map<string, string>;
  readonly helps: Set<string>;
}

async function scrape(url: string): Promise<Scrape> {
  const r = await fetch(`${url}/metrics`);
  const text = await r.text();
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const helps = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = HELP.exec(line)) !== null) {
      expect(helps.has(m[1]!), `one HELP for ${m[1]}`).toBe(false);
      helps.add(m[1]!);
    } else if ((m = TYPE.exec(line)) !== null) {
      expect(types.has(m[1]!), `one TYPE for ${m[1]}`).toBe(false);
      types.set(m[1]!, m[2]!);
    } else if ((m = SAMPLE.exec(line)) !== null) {
      expect(types.has(m[1]!), `TYPE before the samples of ${m[1]}`).toBe(true);
      const key = line.slice(0, line.lastIndexOf(' '));
      expect(samples.has(key), `one sample ${key}`).toBe(false);
      samples.set(key, Number(m[2]));
    } else {
      expect.fail(`not an exposition line: ${JSON.stringify(line)}`);
    }
  }
  for (const [name, type] of types) {
    expect(name.startsWith('suca_stub_'), name).toBe(true);
    expect(helps.has(name), `HELP for ${name}`).toBe(true);
    if (type === 'counter') expect(name.endsWith('_total'), name).toBe(true);
  }
  return { status: r.status, contentType: r.headers.get('content-type'), text, samples, types, helps };
}

function families(m: Scrape, expected: Record<string, string>): void {
  for (const [name, type] of Object.entries(expected)) expect(m.types.get(name), name).toBe(type);
}

const SHARED = { suca_stub_http_requests_total: 'counter', suca_stub_http_refused_total: 'counter', suca_stub_faults_injected_total: 'counter' };

describe('stub /metrics', () => {
  it('escapes label values per the exposition format', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('plain-value_1.x')).toBe('plain-value_1.x');
  });

  it('each role answers in the text format with its families and exact counters', async () => {
    // WSUS: a GET /health, an unknown path (refused not-found), a GetConfig like the real client
    expect((await fetch(`${s.urls.wsus}/health`)).status).toBe(200);
    expect((await fetch(`${s.urls.wsus}/no/such/path`, { method: 'POST' })).status).toBe(404);
    const { path, soapAction, body } = encodeRequest({ op: 'GetConfig', protocolVersion: '2.90' });
    const headers = clientHeaders(soapAction, Buffer.byteLength(body)).filter(([k]) => k !== 'Connection' && k !== 'Content-Length');
    const gc = await fetch(`${s.urls.wsus}${path}`, { method: 'POST', headers, body });
    expect(gc.status).toBe(200);
    await gc.text();
    // DP: a path that is no content
    expect((await fetch(`${s.urls.dp}/nothing-here`)).status).toBe(404);
    // MP: two detection messages of client 2 and one re-delivery, relayed in-process (ingested at once: rate 0)
    const msg = (serial: number, topic: number, state: number): number[] => {
      const m = new Array<number>(MSG_STRIDE).fill(0);
      m[MSG_TOPIC_TYPE] = TOPIC.UPDATE_DETECTION;
      m[MSG_STATE_ID] = state;
      m[MSG_TOPIC] = topic;
      m[MSG_SERIAL] = serial;
      m[MSG_TIME] = sc.start;
      return m;
    };
    s.core.mp.relay(2, sc.start, [...msg(1, 0, DETECT.REQUIRED), ...msg(2, 1, DETECT.INSTALLED)]);
    s.core.mp.relay(2, sc.start, msg(2, 1, DETECT.INSTALLED));
    // a refusal reason that needs escaping (reasons are codes, so it is planted in the counters)
    s.mp.stats.refused.set('odd "reason"\\with\nnewline', 2);

    const wsus = await scrape(s.urls.wsus);
    expect(wsus.status).toBe(200);
    expect(wsus.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    families(wsus, {
      ...SHARED,
      suca_stub_wsus_operations_total: 'counter',
      suca_stub_wsus_scans_total: 'counter',
      suca_stub_wsus_scan_failures_total: 'counter',
      suca_stub_wsus_cookie_recoveries_total: 'counter',
    });
    expect(wsus.types.has('suca_stub_mp_backlog_messages')).toBe(false);
    expect(wsus.types.has('suca_stub_content_requests_total')).toBe(false); // the DP has them
    expect(Object.fromEntries(wsus.samples)).toMatchObject({
      // /health, the unknown path, GetConfig, and this scrape
      'suca_stub_http_requests_total{role="wsus"}': 4,
      'suca_stub_http_refused_total{role="wsus",reason="not-found"}': 1,
      'suca_stub_wsus_operations_total{operation="GetConfig"}': 1,
      suca_stub_wsus_scans_total: 0,
      suca_stub_wsus_scan_failures_total: 0,
      suca_stub_wsus_cookie_recoveries_total: 0,
      'suca_stub_faults_injected_total{target="wsus"}': 0,
      'suca_stub_faults_injected_total{target="mp.state"}': 0,
    });
    expect([...wsus.samples.keys()].filter((k) => k.startsWith('suca_stub_http_refused_total'))).toHaveLength(1);

    const dp = await scrape(s.urls.dp);
    expect(dp.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    families(dp, {
      ...SHARED,
      suca_stub_content_requests_total: 'counter',
      suca_stub_content_bytes_total: 'counter',
      suca_stub_content_not_found_total: 'counter',
      suca_stub_content_bad_range_total: 'counter',
    });
    expect(Object.fromEntries(dp.samples)).toMatchObject({
      'suca_stub_http_requests_total{role="dp"}': 2,
      'suca_stub_http_refused_total{role="dp",reason="not-found"}': 1,
      suca_stub_content_requests_total: 0,
      suca_stub_content_bytes_total: 0,
      suca_stub_content_not_found_total: 1,
      suca_stub_content_bad_range_total: 0,
    });

    const mp = await scrape(s.urls.mp);
    expect(mp.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    families(mp, {
      ...SHARED,
      suca_stub_mp_requests_total: 'counter',
      suca_stub_mp_state_reports_total: 'counter',
      suca_stub_mp_state_messages_received_total: 'counter',
      suca_stub_mp_state_messages_ingested_total: 'counter',
      suca_stub_mp_state_messages_duplicate_total: 'counter',
      suca_stub_mp_state_messages_out_of_order_dropped_total: 'counter',
      suca_stub_mp_state_messages_unknown_topic_total: 'counter',
      suca_stub_mp_backlog_messages: 'gauge',
      suca_stub_compliance_pairs: 'gauge',
    });
    expect(mp.text).toMatch(/^# HELP suca_stub_mp_state_messages_ingested_total .*rate\(/m);
    const pairs = sc.stub.clients * s.core.catalogue.size;
    expect(Object.fromEntries(mp.samples)).toMatchObject({
      'suca_stub_http_requests_total{role="mp"}': 1,
      'suca_stub_http_refused_total{role="mp",reason="odd \\"reason\\"\\\\with\\nnewline"}': 2,
      suca_stub_mp_state_reports_total: 2,
      suca_stub_mp_state_messages_received_total: 3,
      suca_stub_mp_state_messages_ingested_total: 2,
      suca_stub_mp_state_messages_duplicate_total: 1,
      suca_stub_mp_state_messages_out_of_order_dropped_total: 0,
      suca_stub_mp_state_messages_unknown_topic_total: 0,
      suca_stub_mp_backlog_messages: 0,
      'suca_stub_compliance_pairs{state="unknown"}': pairs - 2,
      'suca_stub_compliance_pairs{state="not_required"}': 0,
      'suca_stub_compliance_pairs{state="required"}': 1,
      'suca_stub_compliance_pairs{state="installed"}': 1,
    });
    // the escaped reason stays on one line
    expect(mp.text).toContain('reason="odd \\"reason\\"\\\\with\\nnewline"} 2\n');
    // no per-client labels anywhere
    for (const t of [mp.text, wsus.text, dp.text]) expect(t).not.toMatch(/client=/);
  });

  it('a second scrape counts the first and changes nothing else', async () => {
    const a = await scrape(s.urls.dp);
    const b = await scrape(s.urls.dp);
    const req = 'suca_stub_http_requests_total{role="dp"}';
    expect(b.samples.get(req)).toBe(a.samples.get(req)! + 1);
    for (const [k, v] of a.samples) if (k !== req) expect(b.samples.get(k), k).toBe(v);
  });
});
