// The site's state resync (issue 11 item 7). StateSys tracks each client's
// serial numbers; a gap (serials missing below ones that arrived) that is
// still open after Min Missing Message Age (2,880 min by default, a site
// setting; client-behaviour.md section 2) makes the site ask the client for
// a resync, and the client resends its full state.
//
// What is not public is how the request reaches the client. The stub carries
// it in the client's policy reply: ReplyAssignments holds a request number
// (the typed reply's `resync`; on the wire a PolicyAssignment of category
// SUCA_StateResync whose PolicyVersion is the number: server-stub/http/
// mp-handler.ts, agent/runtime/http/mp-wire.ts). A number, not a flag: the
// reply is sent on every poll from then on, and the client acts once per new
// number, so a lost reply only delays the resync to the next poll.
//
// When the site asks, it also settles the gap: the missing serials are given
// up (the full state that follows supersedes them), so a late copy of one is
// a duplicate. Per client: the time the oldest open gap opened and the request
// number, two typed arrays (12 bytes a client).

export const DEFAULT_MIN_MISSING_MESSAGE_AGE = 2880 * 60_000;

export class ResyncTracker {
  /** when the client's open gap was first seen (Infinity: none), by local index */
  private readonly gapSince: Float64Array;
  /** the last resync request number sent to the client (0: none) */
  readonly requested: Uint32Array;
  requests = 0;
  /** serials given up when a resync was asked for */
  serialsGivenUp = 0;

  constructor(clients: number, readonly minMissingMessageAge: number) {
    this.gapSince = new Float64Array(clients).fill(Infinity);
    this.requested = new Uint32Array(clients);
  }

  /** A serial arrived ahead of the contiguous ones: a gap is open (from now, unless one already was). */
  gapOpened(l: number, t: number): void {
    if (this.gapSince[l] === Infinity) this.gapSince[l] = t;
  }

  /** The gap filled up (the missing serials arrived after all). */
  gapClosed(l: number): void {
    this.gapSince[l] = Infinity;
  }

  /** Is the client's gap old enough for a resync request at t? */
  due(l: number, t: number): boolean {
    return t - this.gapSince[l]! >= this.minMissingMessageAge;
  }

  /** The site asks: a new request number; `givenUp` serials will not be waited for. */
  ask(l: number, givenUp: number): number {
    this.gapSince[l] = Infinity;
    this.requests++;
    this.serialsGivenUp += givenUp;
    return ++this.requested[l]!;
  }
}
