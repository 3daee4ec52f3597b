// Users and business hours (Software Center; client-behaviour.md section 4,
// issue 11 item 2), as data the harness computed:
// - a share of clients (users.outsideBusinessHoursFraction) has "automatically
//   install required software only outside my business hours" set: a
//   required deployment is installed at the first moment outside the user's
//   business hours (their local time) after its content could be downloaded,
//   before the deadline;
// - users install available and optional deployments (deadline null) from
//   Software Center: a deployment's userInstallFraction of the clients, after
//   the available time plus an exponentially distributed delay of mean
//   users.installDelayMean;
// - user restarts (the scenario's restart actions) are traced as such
//   (restart.started user: true) and are not held by maintenance windows.
// Both kinds of install run as user installs (D_USER_INSTALL): not held by
// maintenance windows, and a restart they need waits for the deadline.

import type { ClientState, ClientDeployment } from './state.js';
import type { CoreCtx } from './types.js';
import { unit } from './prng.js';
import { zoneIndexOf } from './localtime.js';
import { windowStartFor } from './windows.js';

const SALT_BUSINESS = 0xb051;
const SALT_USER_DELAY = 0x05e5;
const SALT_USER_OPTIONAL = 0x05e4; // the pick of required deployments' user installs (agent.ts SALT_USER_INSTALL)

/** Hook at the end of addDeployment: user installs of optional deployments and business-hours installs of required ones. */
export function scheduleUserInstall(s: ClientState, ctx: CoreCtx, t: number, d: ClientDeployment): void {
  const p = d.policy;
  const l = ctx.model.local;
  if (p.deadline === null) {
    if (p.userInstallFraction <= 0 || unit(ctx.seed, s.idx, p.index, SALT_USER_OPTIONAL) >= p.userInstallFraction) return;
    const mean = l !== null ? l.userInstallDelayMean : 0;
    const u = unit(ctx.seed, s.idx, p.index, SALT_USER_DELAY);
    d.userInstallAt = Math.max(t, p.available) + Math.floor(-mean * Math.log(1 - u));
    return;
  }
  if (l === null || l.outsideBusinessHoursFraction <= 0) return;
  if (unit(ctx.seed, s.idx, 0, SALT_BUSINESS) >= l.outsideBusinessHoursFraction) return;
  const off = l.offHours(Math.max(0, zoneIndexOf(ctx, s.idx)));
  const from = d.downloadAt === Infinity ? t : d.downloadAt;
  const at = windowStartFor(off, from, 0);
  if (at < d.deadlineAt && at < d.userInstallAt) d.userInstallAt = at;
}
