// One scheduler for the whole fleet: an indexed 4-ary min-heap over typed
// arrays. Each entity (a client, or a stub-side process such as the MP's
// state-message processor) has at most one entry, keyed by its next due time;
// ties break on the entity id, so the order of a run is a pure function of the
// scenario and seed. No closure, promise or Node timer per entity.
//
// Measured on the bare loop (pop, reschedule one interval later; 100,000
// entities, 72 M operations, see BENCHMARKS.md):
//   binary heap, keys indexed by entity, pop + insert     4.3 M ops/s
//   4-ary heap, keys stored in heap order, top updated in place   (see BENCHMARKS.md)
// Keys in heap order keep the children of a node on one cache line; updating
// the top in place (the woken entity is almost always rescheduled) does one
// sift-down instead of a removal and an insertion.
// Rejected: a timing wheel. Due times spread over weeks with millisecond
// resolution; a wheel needs overflow levels and per-slot lists and gives up
// the exact (time, id) order that makes runs repeatable.

const ARITY = 4;

export class Scheduler {
  private readonly hKey: Float64Array; // due time, by heap position
  private readonly hId: Int32Array; // entity id, by heap position
  private readonly pos: Int32Array; // heap position of each entity, -1 if absent
  private n = 0;

  constructor(readonly capacity: number) {
    this.hKey = new Float64Array(capacity);
    this.hId = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.n;
  }

  /** Due time of an entity, or Infinity when it is not scheduled. */
  dueOf(id: number): number {
    const p = this.pos[id]!;
    return p < 0 ? Infinity : this.hKey[p]!;
  }

  /** Schedule (or reschedule) an entity at t; Infinity removes it. */
  set(id: number, t: number): void {
    const p = this.pos[id]!;
    if (t === Infinity) {
      if (p >= 0) this.removeAt(p);
      return;
    }
    if (p < 0) {
      this.up(this.n++, id, t);
      return;
    }
    const old = this.hKey[p]!;
    if (t < old) this.up(p, id, t);
    else if (t > old) this.down(p, id, t);
  }

  /** Time of the earliest entry (Infinity if empty). */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.hKey[0]!;
  }

  /** Id of the earliest entry, left in place (-1 if empty): reschedule it with set(). */
  peekId(): number {
    return this.n === 0 ? -1 : this.hId[0]!;
  }

  /** Removes and returns the earliest entity id (-1 if empty). */
  pop(): number {
    if (this.n === 0) return -1;
    const id = this.hId[0]!;
    this.removeAt(0);
    return id;
  }

  private removeAt(i: number): void {
    const id = this.hId[i]!;
    this.pos[id] = -1;
    const last = --this.n;
    if (i === last) return;
    const mid = this.hId[last]!;
    const mk = this.hKey[last]!;
    // the moved entry may belong above or below position i
    if (i > 0) {
      const parent = ((i - 1) / ARITY) | 0;
      const pk = this.hKey[parent]!;
      if (mk < pk || (mk === pk && mid < this.hId[parent]!)) {
        this.up(i, mid, mk);
        return;
      }
    }
    this.down(i, mid, mk);
  }

  /** Places (id, key) at position i or above. */
  private up(i: number, id: number, key: number): void {
    const hKey = this.hKey;
    const hId = this.hId;
    const pos = this.pos;
    while (i > 0) {
      const parent = ((i - 1) / ARITY) | 0;
      const pk = hKey[parent]!;
      const pid = hId[parent]!;
      if (key > pk || (key === pk && id > pid)) break;
      hKey[i] = pk;
      hId[i] = pid;
      pos[pid] = i;
      i = parent;
    }
    hKey[i] = key;
    hId[i] = id;
    pos[id] = i;
  }

  /** Places (id, key) at position i or below. */
  private down(i: number, id: number, key: number): void {
    const hKey = this.hKey;
    const hId = this.hId;
    const pos = this.pos;
    const n = this.n;
    for (;;) {
      const first = i * ARITY + 1;
      if (first >= n) break;
      const last = first + ARITY < n ? first + ARITY : n;
      let c = first;
      let ck = hKey[first]!;
      let cid = hId[first]!;
      for (let j = first + 1; j < last; j++) {
        const k = hKey[j]!;
        if (k < ck || (k === ck && hId[j]! < cid)) {
          c = j;
          ck = k;
          cid = hId[j]!;
        }
      }
      if (ck > key || (ck === key && cid > id)) break;
      hKey[i] = ck;
      hId[i] = cid;
      pos[cid] = i;
      i = c;
    }
    hKey[i] = key;
    hId[i] = id;
    pos[id] = i;
  }
}

/**
 * The fast lane of the fleet scheduler: a FIFO of (time, id) that accepts a
 * push only when it sorts at or after its tail, so it stays ordered by
 * (time, id) and is itself a priority queue. Timers that every client repeats
 * with one period (the machine policy poll: 72 M of the 100k x 30 d
 * benchmark's wakes) land at its tail in O(1) with sequential memory access,
 * instead of sifting down a heap of 100,000. A push that would break the
 * order is refused and the caller keeps that timer in the heap.
 */
export class MonotoneLane {
  private times: Float64Array;
  private ids: Int32Array;
  private head = 0;
  private n = 0;
  /** the ring's length: the capacity asked for, not rounded up to a power of two */
  private cap: number;

  // The ring is exactly `capacity` long and indexes wrap with a compare
  // (taken once per lap) instead of a mask, and it grows by half when full:
  // rounding 100,000 clients up to 131,072 slots of 12 B was 3.7 B a client
  // of the fleet's heap (issue 13), and up to 12 B a client at sizes just
  // above a power of two.
  constructor(capacity: number) {
    const cap = Math.max(16, Math.ceil(capacity));
    this.times = new Float64Array(cap);
    this.ids = new Int32Array(cap);
    this.cap = cap;
  }

  get size(): number {
    return this.n;
  }

  /** Appends (t, id) when it sorts at or after the tail; false otherwise (nothing changes). */
  tryPush(id: number, t: number): boolean {
    if (this.n > 0) {
      let last = this.head + this.n - 1;
      if (last >= this.cap) last -= this.cap;
      const lt = this.times[last]!;
      if (t < lt || (t === lt && id < this.ids[last]!)) return false;
      if (this.n === this.cap) this.grow();
    }
    let at = this.head + this.n;
    if (at >= this.cap) at -= this.cap;
    this.times[at] = t;
    this.ids[at] = id;
    this.n++;
    return true;
  }

  peekTime(): number {
    return this.n === 0 ? Infinity : this.times[this.head]!;
  }

  peekId(): number {
    return this.n === 0 ? -1 : this.ids[this.head]!;
  }

  /** The id of the k-th entry from the head (0: peekId()), -1 past the tail. */
  idAt(k: number): number {
    if (k >= this.n) return -1;
    const i = this.head + k;
    return this.ids[i >= this.cap ? i - this.cap : i]!;
  }

  shift(): void {
    if (this.n === 0) return;
    if (++this.head === this.cap) this.head = 0;
    this.n--;
  }

  private grow(): void {
    const cap = Math.ceil(this.cap * 1.5);
    const times = new Float64Array(cap);
    const ids = new Int32Array(cap);
    for (let i = 0; i < this.n; i++) {
      let j = this.head + i;
      if (j >= this.cap) j -= this.cap;
      times[i] = this.times[j]!;
      ids[i] = this.ids[j]!;
    }
    this.times = times;
    this.ids = ids;
    this.head = 0;
    this.cap = cap;
  }
}
