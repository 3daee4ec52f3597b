// The agent deflates its CCM bodies at zlib level 1 (README, "MP messages and
// what the stub verifies"): the zlib header says so (78 01; the captured real
// client's 78 9C is level 6), and any inflate reads the body back whole.
// Part 2 is found by the multipart layout written out here, not by the codec.

import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { CcmMpWire } from '../agent/runtime/http/mp-wire.js';

const PART2 = Buffer.from('\r\n--aAbBcCdDv1234567890VxXyYzZ\r\ncontent-type: application/octet-stream\r\n\r\n', 'latin1');
const CLOSE = Buffer.from('\r\n--aAbBcCdDv1234567890VxXyYzZ--', 'latin1');

describe('the agent deflate level', () => {
  it('writes a state report part 2 at level 1 (78 01), inflating to UTF-16LE XML and a NUL', () => {
    const wire = new CcmMpWire({
      clientGuid: () => '0F6F2E3C-1B2A-4C3D-8E4F-5A6B7C8D9E0F',
      topicIdOf: () => '{4B3B2C1D-0000-4000-8000-000000000001}',
      updateSourceId: 'S',
      contentIdOf: () => 'C',
      now: () => Date.parse('2026-01-05T00:00:00Z'),
      keys: null,
    });
    // one 500 (update detection) message: type, state, topic, serial, time, flags
    const m = wire.stateReportMessage({ kind: 'state.report', client: 3, msgs: [500, 2, 0, 1, Date.parse('2026-01-05T00:00:00Z'), 0] }, 'http://127.0.0.1:1');
    const at = m.payload.indexOf(PART2);
    expect(at).toBeGreaterThan(0);
    const z = m.payload.subarray(at + PART2.length, m.payload.length - CLOSE.length);
    expect(m.payload.subarray(m.payload.length - CLOSE.length).equals(CLOSE)).toBe(true);
    expect([z[0], z[1]]).toEqual([0x78, 0x01]);
    const raw = inflateSync(z);
    expect(raw.subarray(raw.length - 2)).toEqual(Buffer.from([0, 0]));
    const text = raw.subarray(0, raw.length - 2).toString('utf16le');
    expect(text.startsWith('<Report>')).toBe(true);
    expect(text).toContain('{4B3B2C1D-0000-4000-8000-000000000001}');
  });
});
