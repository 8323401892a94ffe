/** 32-bit FNV-1a: cheap, stable across processes (checkpoints depend on it). */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function compareByHash(a: string, b: string): number {
  return fnv1a32(a) - fnv1a32(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface DistinctSketchJSON {
  readonly capacity: number;
  readonly saturated: boolean;
  readonly names: readonly string[];
}

/**
 * Distinct names: exact up to `capacity`; past it, a K-minimum-values sketch
 * keeping the `capacity` names with the smallest hashes. Estimate when
 * saturated: (K - 1) * 2^32 / (largest kept hash + 1), relative standard error
 * about 1/sqrt(K - 2) (about 1% at K = 10 000).
 */
export class DistinctSketch {
  private readonly names = new Set<string>();
  private saturated = false;
  /** When saturated: the largest kept name (by hash, then name); nothing above it can enter. */
  private threshold: string | null = null;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 2) {
      throw new RangeError(`distinct capacity must be an integer >= 2, got ${capacity}`);
    }
  }

  add(name: string): void {
    if (this.names.has(name)) return;
    if (this.threshold !== null && compareByHash(name, this.threshold) >= 0) return;
    this.names.add(name);
    // Compact lazily so a saturated sketch does not sort on every new name.
    if (this.names.size > this.capacity * 2) this.compact();
  }

  get exact(): boolean {
    this.compact();
    return !this.saturated;
  }

  estimate(): number {
    this.compact();
    if (!this.saturated || this.threshold === null) return this.names.size;
    return Math.round(((this.capacity - 1) * 2 ** 32) / (fnv1a32(this.threshold) + 1));
  }

  static merge(a: DistinctSketch, b: DistinctSketch): DistinctSketch {
    if (a.capacity !== b.capacity) {
      throw new RangeError(`cannot merge sketches of capacity ${a.capacity} and ${b.capacity}`);
    }
    a.compact();
    b.compact();
    const merged = new DistinctSketch(a.capacity);
    // Above the lower threshold one side may be missing names, so nothing above it is kept.
    const limits = [a.threshold, b.threshold].filter((t): t is string => t !== null);
    const limit = limits.sort(compareByHash)[0] ?? null;
    merged.saturated = a.saturated || b.saturated;
    for (const name of [...a.names, ...b.names]) {
      if (limit === null || compareByHash(name, limit) <= 0) merged.names.add(name);
    }
    if (merged.saturated) merged.threshold = limit;
    merged.compact();
    return merged;
  }

  toJSON(): DistinctSketchJSON {
    this.compact();
    return { capacity: this.capacity, saturated: this.saturated, names: [...this.names].sort() };
  }

  static fromJSON(json: DistinctSketchJSON): DistinctSketch {
    const sketch = new DistinctSketch(json.capacity);
    for (const name of json.names) sketch.names.add(name);
    sketch.saturated = json.saturated;
    if (json.saturated) sketch.threshold = [...sketch.names].sort(compareByHash).at(-1) ?? null;
    sketch.compact();
    return sketch;
  }

  private compact(): void {
    if (this.names.size <= this.capacity) return;
    const kept = [...this.names].sort(compareByHash).slice(0, this.capacity);
    this.names.clear();
    for (const name of kept) this.names.add(name);
    this.saturated = true;
    this.threshold = kept.at(-1) ?? null;
  }
}
