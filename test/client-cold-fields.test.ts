// A client's rarely changed fields (ClientState.cold, agent/core/state.ts):
// shared by every client until one changes, never written in the shared
// object, and read back as written.

import { describe, expect, it } from 'vitest';
import { COLD_DEFAULT, createClient, setCold } from '../agent/core/state.js';
import { CoreKit } from './helpers/kit.js';

describe('the cold fields of a client record', () => {
  it('start as the one frozen default; writing the value held allocates nothing', () => {
    const a = createClient(1, 0, 4);
    const b = createClient(1, 1, 4);
    expect(a.cold).toBe(COLD_DEFAULT);
    expect(b.cold).toBe(COLD_DEFAULT);
    expect(Object.isFrozen(COLD_DEFAULT)).toBe(true);
    setCold(a, 'supFailures', 0);
    setCold(a, 'windows', null);
    expect(a.cold).toBe(COLD_DEFAULT);
  });

  it('a change gives that client its own object, the others keep the default', () => {
    const a = createClient(1, 0, 4);
    const b = createClient(1, 1, 4);
    setCold(a, 'scanError', -2145107934);
    expect(a.cold).not.toBe(COLD_DEFAULT);
    expect(a.cold).toEqual({ windows: null, supFailures: 0, resyncSeen: 0, scanError: -2145107934 });
    expect(b.cold).toBe(COLD_DEFAULT);
    expect(COLD_DEFAULT).toEqual({ windows: null, supFailures: 0, resyncSeen: 0, scanError: 0 });
    const own = a.cold;
    setCold(a, 'supFailures', 2);
    setCold(a, 'resyncSeen', 7);
    expect(a.cold).toBe(own); // written in place from then on
    expect(a.cold).toEqual({ windows: null, supFailures: 2, resyncSeen: 7, scanError: -2145107934 });
  });

  it('an idle fleet of the default scenario keeps the default in every client', () => {
    const k = new CoreKit({ clients: 20 });
    k.runFor(2 * 86_400_000);
    expect(k.clients.length).toBe(20);
    expect(k.events.some((e) => e.e.ev === 'scan.completed')).toBe(true);
    expect(k.clients.every((s) => s.cold === COLD_DEFAULT)).toBe(true);
  });
});
