// suca-fleet stub: the stub servers alone until a signal or --duration.

import { loadScenario } from '../scenario/extends.js';
import { distinct, unservable } from '../../server-stub/http/served.js';
import { LIMITS, parseNumberFlag, parseWholeFlag } from '../scenario/limits.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../logger.js';
import { runStub } from '../stub.js';
import { formatDuration, tryParseDuration } from '../duration.js';
import type { Io } from '../io.js';
import { joinNegativeValues, parseFlags, Problems, readFileArg, reportError } from './common.js';

export const describe = 'Run the stub MP, WSUS and DP servers alone (for a fleet elsewhere, or real clients), until SIGINT/SIGTERM or --duration';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  // "--time-factor -1" would read as a flag -1: values that look negative are taken as values, and refused by their bounds
  const parsed = parseFlags(joinNegativeValues(argv, ['mp-port', 'wsus-port', 'dp-port', 'time-factor', 'duration', 'clients', 'seed']), io, 'stub', (y) =>
    y
      .usage(`suca-fleet stub [options]\n\n${describe}`)
      .option('scenario', { type: 'string', describe: 'scenario JSON file (catalogue, deployments, faults, ...)' })
      .option('clients', { type: 'string', describe: 'number of clients (overrides the scenario), as the fleet\'s run --clients: the same scenario for both' })
      .option('seed', { type: 'string', describe: 'random seed (overrides the scenario), as the fleet\'s run --seed' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind' })
      .option('public-host', { type: 'string', describe: 'host name in the URLs the MP hands out (WSUS, DP) when clients reach the stub by another name than --host, e.g. a Kubernetes Service' })
      .option('mp-port', { type: 'string', default: '0', describe: 'MP port (0: any free port)' })
      .option('wsus-port', { type: 'string', default: '0', describe: "the first SUP's WSUS port; SUP k of site.sups listens on this + k (0: any free port each)" })
      .option('dp-port', { type: 'string', default: '0', describe: "the first DP's port; DP k of site.dps listens on this + k (0: any free port each)" })
      .option('tls-cert', { type: 'string', describe: 'serve https with this certificate (PEM)' })
      .option('tls-key', { type: 'string', describe: 'the key of --tls-cert (PEM)' })
      .option('time-factor', { type: 'string', default: '1', describe: 'simulated seconds per wall second (scenario time windows, cookies)' })
      .option('verify', { type: 'boolean', default: true, describe: 'verify MP message signatures; --no-verify to accept unsigned messages' })
      .option('duration', { type: 'string', describe: 'stop by itself after this much wall time' })
      .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'pino log level (stderr)' }),
  );
  if ('code' in parsed) return parsed.code;
  const a = parsed.args;
  try {
    const p = new Problems();
    // the fleet's overrides, so that a stub and the runs against it resolve the same scenario (its hash, checked by run --mp)
    const whole = (flag: string, v: string | undefined, min: number, max: number) => {
      if (v === undefined) return undefined;
      const r = parseWholeFlag(flag, v, min, max);
      if ('error' in r) return void p.add(r.error);
      return r.value;
    };
    const clients = whole('--clients', a.clients, LIMITS.clients.min, LIMITS.clients.max);
    const seed = whole('--seed', a.seed, LIMITS.seed.min, LIMITS.seed.max);
    const ports = { mp: whole('--mp-port', a['mp-port'], 0, 65535), wsus: whole('--wsus-port', a['wsus-port'], 0, 65535), dp: whole('--dp-port', a['dp-port'], 0, 65535) };
    const ph = a['public-host'];
    if (ph !== undefined && !/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$|^\[[0-9A-Fa-f:.]+\]$/.test(ph)) p.add(`--public-host ${ph}: a host name or address (no scheme, no port)`);
    const tf = parseNumberFlag('--time-factor', a['time-factor'], LIMITS.timeFactor.min, LIMITS.timeFactor.max, `from ${LIMITS.timeFactor.min} to ${LIMITS.timeFactor.max.toLocaleString('en-US')} simulated seconds per wall second (1 = real time)`);
    if ('error' in tf) p.add(tf.error);
    const pair = (a['tls-cert'] === undefined) === (a['tls-key'] === undefined);
    if (!pair) p.add('--tls-cert and --tls-key go together');
    const stopAfter = a.duration !== undefined ? tryParseDuration(a.duration) : null;
    if (a.duration !== undefined && stopAfter === null) p.add(`--duration: '${a.duration}' is not a duration (examples: 30m, 2h; wall time, more than 0 and at most ${formatDuration(LIMITS.durationMs.max)})`);
    else if (stopAfter !== null && (stopAfter <= 0 || stopAfter > LIMITS.durationMs.max)) p.add(`--duration ${a.duration}: out of range, more than 0 and at most ${formatDuration(LIMITS.durationMs.max)}`);
    const cert = pair && a['tls-cert'] !== undefined ? p.try(() => readFileArg('--tls-cert', a['tls-cert']!)) : undefined;
    const key = pair && a['tls-key'] !== undefined ? p.try(() => readFileArg('--tls-key', a['tls-key']!)) : undefined;
    const bad = p.report(io);
    if (bad !== null) return bad;
    const sc = loadScenario(a.scenario, { clients, seed });
    // a WSUS per SUP and a server per DP, on consecutive ports from a fixed first one
    const source = a.scenario ?? '(built-in default)';
    for (const c of unservable(sc.stub)) p.add(`${source}: ${c.path}: ${c.message}`, 'SUCA_ERR_INVALID_SCENARIO');
    const ranges = [
      { flag: '--mp-port', first: ports.mp!, n: 1, what: 'the MP' },
      { flag: '--wsus-port', first: ports.wsus!, n: distinct(sc.stub.sups).length, what: 'the SUPs of site.sups' },
      { flag: '--dp-port', first: ports.dp!, n: distinct(sc.stub.dps).length, what: 'the DPs of site.dps' },
    ].filter((r) => r.first !== 0);
    for (const r of ranges) if (r.first + r.n - 1 > 65535) p.add(`${r.flag} ${r.first}: ${r.what} (${r.n}) need ports ${r.first} to ${r.first + r.n - 1}, past 65535`);
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        const x = ranges[i]!;
        const y = ranges[j]!;
        if (x.first <= y.first + y.n - 1 && y.first <= x.first + x.n - 1) p.add(`${x.flag} ${x.first} and ${y.flag} ${y.first}: their ports overlap (${x.what}: ${x.first}-${x.first + x.n - 1}; ${y.what}: ${y.first}-${y.first + y.n - 1})`);
      }
    }
    const bad2 = p.report(io);
    if (bad2 !== null) return bad2;
    await runStub(sc, {
      logger: createLogger(a['log-level'], io.stderr),
      host: a.host,
      publicHost: a['public-host'],
      ports: { mp: ports.mp!, wsus: ports.wsus!, dp: ports.dp! },
      tls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
      timeFactor: 'value' in tf ? tf.value : 1,
      verifySignatures: a.verify,
      stopAfterMs: stopAfter,
      print: (s) => io.stdout.write(s),
      signals: io.signals,
    });
    return 0;
  } catch (err) {
    return reportError(io, err);
  }
}
