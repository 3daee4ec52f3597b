// The client cache (client-behaviour.md section 1 "Client cache", seed 003
// "Software update deployment process"): 5,120 MB by default, updates always
// download even past the limit, least recently used content is evicted once
// older than the minimum retention, and evicted content is downloaded again
// before the install.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { U_CACHED } from '../agent/core/state.js';
import { cacheBytes } from '../agent/core/cache.js';
import { applicableUpdates } from '../agent/core/machine.js';

const MB = 1024 * 1024;

/** Every update is 100 MB, none needs a restart, nothing new is installed yet. */
function base(client: Record<string, unknown> = {}) {
  return {
    catalogue: { minSizeMB: 100, maxSizeMB: 100, restartFraction: 0 },
    client: { downloadRandomDelay: '0', ...client },
  };
}

/** Updates new this cycle (on no machine yet) that apply to client 0. */
function neededUpdates(input: Record<string, unknown>): number[] {
  const p = new CoreKit({ ...input, deployments: [] });
  const cat = p.stub.catalogue;
  const first = cat.size - p.sc.stub.catalogue.newUpdates;
  return applicableUpdates(p.sc.seed, cat, 0).filter((u) => u >= first);
}

const cached = (k: CoreKit, u: number) => (k.client.upd[k.client.ub + u]! & U_CACHED) !== 0;
/** The bytes of client 0's cache. */
const held = (k: CoreKit) => cacheBytes(k.client, k.stub.catalogue.bytes, k.stub.catalogue.size);

function dep(name: string, updates: number[], available: string, deadline: string | null, created?: string) {
  return { name, updates, available, deadline, ...(created ? { created } : {}) };
}

describe('cache size', () => {
  it('is 5,120 MB unless configured', () => {
    const k = new CoreKit();
    expect(k.sc.settings.cacheSizeBytes).toBe(5120 * MB);
    k.runFor(2 * HOUR);
    expect(k.client.settings!.cacheSizeBytes).toBe(5120 * MB);
    expect(k.client.settings!.cacheMinRetention).toBe(1440 * MIN);
    const small = new CoreKit({ client: { cacheSizeMB: 300 } });
    expect(small.sc.settings.cacheSizeBytes).toBe(300 * MB);
  });

  it('content larger than the cache still downloads, over the limit, and is installed from it', () => {
    const b = base({ cacheSizeMB: 150 });
    const u = neededUpdates(b).slice(0, 4);
    expect(u.length).toBe(4);
    const k = new CoreKit({ ...b, deployments: [dep('A', u, '1d', '3d')] });
    k.runFor(4 * DAY);
    const dl = k.of('download.completed');
    expect(dl.map((r) => [r.e.updates, r.e.bytes])).toEqual([[4, 400 * MB]]);
    expect(k.of('cache.evicted')).toHaveLength(0);
    expect(held(k)).toBe(400 * MB);
    expect(held(k)).toBeGreaterThan(k.client.settings!.cacheSizeBytes);
    for (const x of u) expect(cached(k, x)).toBe(true);
    // at the deadline nothing is downloaded again
    expect(k.of('download.started')).toHaveLength(1);
    expect(k.of('install.completed').map((r) => r.e.updates)).toEqual([4]);
  });
});

describe('eviction', () => {
  it('a second deployment\'s content evicts older content when the cache is full and retention allows', () => {
    const b = base({ cacheSizeMB: 300, cacheMinRetention: '0' });
    const u = neededUpdates(b);
    const A = u.slice(0, 3);
    const B = u.slice(3, 5);
    const k = new CoreKit({ ...b, deployments: [dep('A', A, '1d', '10d'), dep('B', B, '2d', '10d')] });
    k.runFor(3 * DAY);
    const ev = k.of('cache.evicted');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.e).toEqual({ ev: 'cache.evicted', updates: 2, bytes: 200 * MB });
    // evicted while B's content was stored: at B's download.completed
    const bDone = k.of('download.completed').find((r) => r.e.deployment === k.stub.mp.deployments[1]!.id)!;
    expect(ev[0]!.t).toBe(bDone.t);
    expect(B.every((x) => cached(k, x))).toBe(true);
    expect(A.filter((x) => cached(k, x))).toHaveLength(1);
    expect(held(k)).toBe(300 * MB);
    expect(held(k)).toBeLessThanOrEqual(k.client.settings!.cacheSizeBytes);
  });

  it('evicts the least recently used content: content used by an install is kept over older unused content', () => {
    const b = base({ cacheSizeMB: 200, cacheMinRetention: '0' });
    const [a, x, c] = neededUpdates(b);
    // A downloaded at 1d, X at 2d, A installed (its content used) at 2d12h, C downloaded at 3d
    const k = new CoreKit({
      ...b,
      deployments: [dep('A', [a!], '1d', '2d12h'), dep('X', [x!], '2d', '10d'), dep('C', [c!], '3d', '10d')],
    });
    k.runFor(3 * DAY + 6 * HOUR);
    expect(k.of('install.completed')).toHaveLength(1);
    const ev = k.of('cache.evicted');
    expect(ev.map((r) => [r.e.updates, r.e.bytes])).toEqual([[1, 100 * MB]]);
    expect(cached(k, a!)).toBe(true); // used at 2d12h
    expect(cached(k, x!)).toBe(false); // last used at 2d: least recently used
    expect(cached(k, c!)).toBe(true);
  });

  it('content younger than cacheMinRetention is not evicted: the cache goes over its limit instead', () => {
    const b = base({ cacheSizeMB: 300 }); // default retention: 1,440 min
    const u = neededUpdates(b);
    const k = new CoreKit({ ...b, deployments: [dep('A', u.slice(0, 3), '1d', '10d'), dep('B', u.slice(3, 5), '1d12h', '10d')] });
    k.runFor(3 * DAY);
    expect(k.of('download.completed')).toHaveLength(2);
    expect(k.of('cache.evicted')).toHaveLength(0);
    expect(held(k)).toBe(500 * MB);
    expect(u.slice(0, 5).every((x) => cached(k, x))).toBe(true);
  });

  it('content older than cacheMinRetention is evicted', () => {
    const b = base({ cacheSizeMB: 300, cacheMinRetention: '12h' });
    const u = neededUpdates(b);
    const k = new CoreKit({ ...b, deployments: [dep('A', u.slice(0, 3), '1d', '10d'), dep('B', u.slice(3, 5), '1d13h', '10d')] });
    k.runFor(3 * DAY);
    const aDone = k.of('download.completed')[0]!;
    const bDone = k.of('download.completed')[1]!;
    expect(bDone.t - aDone.t).toBeGreaterThanOrEqual(12 * HOUR);
    expect(k.of('cache.evicted').map((r) => [r.t, r.e.updates])).toEqual([[bDone.t, 2]]);
  });
});

describe('evicted content at the deadline', () => {
  it('is downloaded again right before the install', () => {
    const b = base({ cacheSizeMB: 300, cacheMinRetention: '0' });
    const u = neededUpdates(b);
    const A = u.slice(0, 3);
    const B = u.slice(3, 6);
    expect(B).toHaveLength(3);
    const k = new CoreKit({ ...b, deployments: [dep('A', A, '1d', '3d'), dep('B', B, '2d', '10d')] });
    k.runFor(4 * DAY);
    // B's download evicted all of A
    expect(k.of('cache.evicted')[0]!.e).toEqual({ ev: 'cache.evicted', updates: 3, bytes: 300 * MB });
    const idA = k.stub.mp.deployments[0]!.id;
    const deadline = k.of('deployment.deadline').find((r) => r.e.deployment === idA)!;
    expect(deadline.t).toBe(T0 + 3 * DAY);
    // deadline -> beforeInstall scan -> download -> install, nothing in between
    const seq = k.events
      .filter((r) => r.t >= deadline.t && ['scan.started', 'scan.completed', 'download.started', 'download.completed', 'install.started'].includes(r.e.ev))
      .slice(0, 5)
      .map((r) => r.e.ev);
    expect(seq).toEqual(['scan.started', 'scan.completed', 'download.started', 'download.completed', 'install.started']);
    const dls = k.of('download.started').filter((r) => r.e.deployment === idA);
    expect(dls).toHaveLength(2);
    expect([dls[1]!.e.updates, dls[1]!.e.bytes]).toEqual([3, 300 * MB]);
    const inst = k.of('install.started')[0]!;
    const dlDone = k.of('download.completed').filter((r) => r.e.deployment === idA)[1]!;
    expect(inst.t).toBe(dlDone.t);
    expect(inst.e.updates).toBe(3);
    expect(k.stub.dp.counters.downloads).toBe(3);
  });

  it('only the evicted part is downloaded again, and the re-download does not evict content the install needs', () => {
    const b = base({ cacheSizeMB: 300, cacheMinRetention: '0' });
    const u = neededUpdates(b);
    const A = u.slice(0, 3);
    const B = u.slice(3, 5);
    const k = new CoreKit({ ...b, deployments: [dep('A', A, '1d', '3d'), dep('B', B, '2d', '10d')] });
    k.runFor(4 * DAY);
    const idA = k.stub.mp.deployments[0]!.id;
    const dls = k.of('download.started').filter((r) => r.e.deployment === idA);
    expect(dls.map((r) => r.e.updates)).toEqual([3, 2]);
    const inst = k.of('install.completed');
    expect(inst.map((r) => r.e.updates)).toEqual([3]);
    // the install used all three of A's updates: their content must still be in the cache
    // (seed 003: the client verifies the content is in the cache, re-downloads what is not, then installs)
    for (const x of A) expect(cached(k, x), `update ${x} installed from the cache`).toBe(true);
  });
});
