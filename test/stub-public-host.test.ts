// stub --public-host: the URLs the stub prints and its MP hands out carry the name clients use (a Service), not the bound address.

import { describe, expect, it } from 'vitest';
import { cli, startStubCommand } from './helpers/cli.js';

describe('stub --public-host', () => {
  it('the printed URLs carry the public name; the servers still answer on the bound address', async () => {
    const stub = await startStubCommand('--public-host', 'suca-fleet-stub.testing', '--log-level', 'silent');
    try {
      for (const u of [stub.urls.mp, stub.urls.wsus, stub.urls.dp]) {
        expect(u).toMatch(/^http:\/\/suca-fleet-stub\.testing:\d+$/);
        const r = await fetch(`http://127.0.0.1:${new URL(u).port}/health`);
        expect(r.status).toBe(200);
      }
    } finally {
      expect(await stub.stop()).toBe(0);
    }
  });

  it('a value with a scheme or a port is refused, exit 2', async () => {
    for (const bad of ['http://x', 'x:8080', 'a b']) {
      const r = await cli('stub', '--public-host', bad, '--duration', '1s');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--public-host ${bad}: a host name or address`);
    }
  });
});
