// One scheduler for the whole fleet: an indexed binary min-heap over typed
// arrays. Each entity (a client, or a stub-side process such as the MP's
// state-message processor) has at most one entry, keyed by its next due time;
// ties break on the entity id, so the order of a run is a pure function of the
// scenario and seed. No closure, promise or Node timer per entity.
//
// Rejected: a timing wheel. Due times spread over weeks with millisecond
// resolution and many entities reschedule to the same wake; a wheel needs
// overflow levels and per-slot lists, where this heap is three typed arrays
// and 17 levels at 100,000 clients (see BENCHMARKS.md for the bare loop).

export class Scheduler {
  private readonly key: Float64Array; // due time per entity
  private readonly heap: Int32Array; // heap of entity ids
  private readonly pos: Int32Array; // position of each entity in heap, -1 if absent
  private n = 0;

  constructor(readonly capacity: number) {
    this.key = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.n;
  }

  /** Due time of an entity, or Infinity when it is not scheduled. */
  dueOf(id: number): number {
    return this.pos[id]! < 0 ? Infinity : this.key[id]!;
  }

  /** Schedule (or reschedule) an entity at t; Infinity removes it. */
  set(id: number, t: number): void {
    const p = this.pos[id]!;
    if (t === Infinity) {
      if (p >= 0) this.removeAt(p);
      return;
    }
    if (p < 0) {
      this.key[id] = t;
      const i = this.n++;
      this.heap[i] = id;
      this.pos[id] = i;
      this.up(i);
      return;
    }
    const old = this.key[id]!;
    this.key[id] = t;
    if (t < old) this.up(p);
    else if (t > old) this.down(p);
  }

  /** Time of the earliest entry (Infinity if empty). */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.key[this.heap[0]!]!;
  }

  /** Removes and returns the earliest entity id (-1 if empty). */
  pop(): number {
    if (this.n === 0) return -1;
    const id = this.heap[0]!;
    this.removeAt(0);
    return id;
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const id = heap[i]!;
    this.pos[id] = -1;
    const last = --this.n;
    if (i === last) return;
    const moved = heap[last]!;
    heap[i] = moved;
    this.pos[moved] = i;
    this.down(i);
    if (heap[i] === moved) this.up(i);
  }

  private up(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const id = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pid = heap[parent]!;
      if (!this.less(id, pid)) break;
      heap[i] = pid;
      pos[pid] = i;
      i = parent;
    }
    heap[i] = id;
    pos[id] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const n = this.n;
    const id = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(heap[r]!, heap[l]!)) c = r;
      const cid = heap[c]!;
      if (!this.less(cid, id)) break;
      heap[i] = cid;
      pos[cid] = i;
      i = c;
    }
    heap[i] = id;
    pos[id] = i;
  }
}
