// The bounds of every number a user gives: run flags and scenario fields
// read them from here (commands/run.ts, scenario/schema.ts, scenario/resolve.ts),
// so a flag and the scenario field it overrides can never disagree. README
// ("Bounds") lists them with the reasons below.

import { constants as bufferConstants } from 'node:buffer';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { HarnessError } from '../errors.js';

const DAY = 86_400_000;

export const LIMITS = {
  /**
   * Clients of a scenario (the whole fleet, every shard): 10 x the 1,000,000
   * clients of the largest hierarchy Configuration Manager supports (its
   * size-and-scale numbers). What one run (one shard) can hold is the memory
   * check below (checkRunSize), not a fixed number.
   */
  clients: { min: 1, max: 10_000_000 },
  /**
   * Simulated duration of a run, and of any duration in a scenario: 10 years.
   * Simulated histograms record up to 2^40 ms (34 years, run-metrics.ts) and
   * the WSUS per-minute counter holds 4 bytes a simulated minute (10 years:
   * 5.3 M minutes, 21 MB). 100,000 days (issue 10) filled 2.7 GB and crashed
   * in WsusServer.scansPerMinute: a JS array of 144 M minutes is past V8's
   * largest array (2^27 elements).
   */
  durationMs: { max: 3650 * DAY },
  /** The PRNG seed is a 32-bit unsigned integer (agent/core/prng.ts). */
  seed: { min: 0, max: 0xffffffff },
  /** Series intervals of a run at most (asked with --series-interval): 20 series of Float64 values, 160 MB, and a results.json under V8's largest string (2^29 characters). */
  seriesIntervals: { max: 1_000_000 },
  /** Series intervals chosen when not asked for: 100,000 x 20 series is ~15 MB of results.json. */
  seriesIntervalsAuto: { max: 100_000 },
  /**
   * Scaled clock: simulated seconds per wall second. Below 1/1,000 a
   * simulated second lasts more than 16 wall minutes. Above 10,000,000 one of
   * the loop's 20 ms slices passes more than 2 simulated days, and the lag it
   * measures says nothing: use --clock virtual. The fastest scaled run in the
   * tests is x4,000,000 (abort-on-fail: 10 days in 0.2 s).
   */
  timeFactor: { min: 0.001, max: 10_000_000 },
  /** Scaled clock: the lag bound, up to 1 hour of wall time (the p99 it is compared with is of wall ms). */
  lagBoundMs: { max: 3_600_000 },
  /**
   * HTTP requests in flight per endpoint: 8,192, so the three endpoints
   * (MP, WSUS, DP) stay under the 28,232 ephemeral ports Linux has for one
   * destination by default (32768-60999).
   */
  concurrency: { min: 1, max: 8192 },
  /** Updates in the catalogue with its syncs: update indices are 16-bit (server-stub/core/catalogue-sync.ts). */
  updates: { max: 65_535 },
  /** Deployments and collections in a scenario (per-client bit fields of the agent). */
  deployments: { max: 20 },
  collections: { max: 16 },
  /** Sizes: MB of a cache or an update, up to 1 TB (bytes stay exact in a double). */
  sizeMB: { max: 1_048_576 },
  /** Download speed, Mbit/s: up to 100 Gbit/s. */
  downloadMbps: { max: 100_000 },
  /** MP ingest rate, messages per simulated second (0: unlimited). */
  mpProcessingRate: { max: 10_000_000 },
  /** Retry counts (scans, installs): the client's defaults are 4 and 3. */
  retries: { max: 1000 },
  /** Entries of a scenario list (actions, faults, thresholds, syncs, time zones, SUPs, ...). */
  listEntries: { max: 10_000 },
} as const;

/**
 * Bytes one client of a run costs, from measurements (100,000 clients, 1 h of
 * the default scenario, the busy start when every client scans; after a full
 * GC, Node 20; re-measured for issue 13's record layout, m1 branch): JS heap
 * 1,175 B at 200 updates and 6,361 B at 2,000 (the client record, its
 * deployments, cache and the scans' per-update lists: ~600 B + 2.9 B an
 * update); array buffers 534 B and 2,785 B (the fleet-wide rows: update flags
 * 1 B and the MP's update states 0.25 B an update, timers and the other
 * doubles, the scheduler's arrays: ~284 B + 1.25 B an update, + 1 B a
 * deployment). Before the change the same runs gave 1,254 B and 550 B at 200
 * updates; the estimate then (1,150 + 2.9 B an update, 234 + 2 B an update)
 * was 2,365 B a client at 200 updates against 1,804 B measured.
 */
export function bytesPerClient(updates: number, deployments: number): { heap: number; buffers: number } {
  return { heap: 600 + 2.9 * updates, buffers: 284 + 1.25 * updates + Math.max(1, deployments) };
}

/** What the machine offers a run; tests pass their own. */
export interface MachineMemory {
  /** V8's heap limit (--max-old-space-size) */
  readonly heapLimit: number;
  /** physical memory */
  readonly total: number;
}

export function machineMemory(): MachineMemory {
  return { heapLimit: getHeapStatistics().heap_size_limit, total: totalmem() };
}

export interface RunSize {
  /** clients this run emulates (its shard) */
  readonly clients: number;
  /** updates of the catalogue with its syncs */
  readonly updates: number;
  readonly deployments: number;
  readonly durationMs: number;
  readonly intervals: number;
}

const GB = 1024 ** 3;
const gb = (b: number) => `${(b / GB).toFixed(1)} GB`;
/** the heap a run holds beyond its clients (modules, histograms, buffers), measured ~60 MB; the headroom V8 needs to collect */
const BASE_HEAP = 100 * 1024 ** 2;
const HEAP_HEADROOM = 0.9;

/**
 * Refuses, before anything is allocated, a run that cannot fit: the fleet's
 * per-update flags are one Uint8Array of clients x updates (agent/core/state.ts
 * upd; the MP's update states take a quarter of that since issue 13; a typed
 * array holds at most buffer.constants.MAX_LENGTH elements: 2^32 on Node 20),
 * the estimated JS heap must stay under V8's limit, and everything under the
 * machine's memory. `--clients 1e9` crashed with "RangeError: Invalid typed
 * array length" (issue 10).
 */
export function checkRunSize(s: RunSize, where: string, m: MachineMemory = machineMemory()): void {
  const bad = (why: string) => new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${where}: ${why}`);
  const shards = (perRun: number) => `run it in shards of at most ${Math.max(1, Math.floor(perRun)).toLocaleString('en-US')} clients (--shard K/${Math.ceil(s.clients / Math.max(1, Math.floor(perRun)))} on as many machines, then suca-fleet merge)`;
  const cells = s.clients * s.updates;
  if (cells > bufferConstants.MAX_LENGTH) {
    throw bad(`${s.clients.toLocaleString('en-US')} clients x ${s.updates.toLocaleString('en-US')} updates is ${cells.toLocaleString('en-US')} update states, more than one typed array holds (${bufferConstants.MAX_LENGTH.toLocaleString('en-US')}); ${shards(bufferConstants.MAX_LENGTH / s.updates)}`);
  }
  const per = bytesPerClient(s.updates, s.deployments);
  const heap = BASE_HEAP + s.clients * per.heap;
  const heapAllowed = m.heapLimit * HEAP_HEADROOM;
  if (heap > heapAllowed) {
    throw bad(`${s.clients.toLocaleString('en-US')} clients need about ${gb(heap)} of JS heap (${Math.round(per.heap).toLocaleString('en-US')} B a client at ${s.updates} updates), and this Node allows ${gb(m.heapLimit)}: raise it (NODE_OPTIONS=--max-old-space-size=${Math.ceil((heap / HEAP_HEADROOM) / 1024 ** 2)}) or ${shards((heapAllowed - BASE_HEAP) / per.heap)}`);
  }
  // time-proportional buffers: the WSUS per-minute counter (doubling: up to 8 B a minute) and 20 series of Float64
  const total = heap + s.clients * per.buffers + (s.durationMs / 60_000) * 8 + s.intervals * 20 * 8;
  if (total > m.total) {
    throw bad(`${s.clients.toLocaleString('en-US')} clients over ${Math.round(s.durationMs / DAY).toLocaleString('en-US')} days need about ${gb(total)}, and this machine has ${gb(m.total)}: ${shards((m.total - BASE_HEAP) / (per.heap + per.buffers))}`);
  }
}

/** "1,000": numbers in messages, as the rest of the CLI prints them. */
export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A whole number given on the command line, quoted as given when it is not
 * one: "--clients: 'abc' is not a whole number". Accepts 1000, 1e6, +5.
 */
export function parseWholeFlag(flag: string, raw: string, min: number, max: number, unit = ''): { value: number } | { error: string } {
  const s = raw.trim();
  const v = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(v) || !Number.isInteger(v)) return { error: `${flag}: '${raw}' is not a whole number (from ${fmt(min)} to ${fmt(max)}${unit})` };
  if (v < min || v > max) return { error: `${flag} ${raw}: out of range, from ${fmt(min)} to ${fmt(max)}${unit}` };
  return { value: v };
}

/** A number given on the command line (the same rules, any real number). */
export function parseNumberFlag(flag: string, raw: string, min: number, max: number, what: string): { value: number } | { error: string } {
  const s = raw.trim();
  const v = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(v)) return { error: `${flag}: '${raw}' is not a number (${what})` };
  if (v < min || v > max) return { error: `${flag} ${raw}: out of range, ${what}` };
  return { value: v };
}
