/**
 * Small deterministic PRNG (mulberry32) and helpers. The emulator and the generator never call
 * `Math.random`, so the same seed always produces the same data, ids and faults.
 */

/** A seeded random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One element, chosen by weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** `count` distinct elements (fewer if the list is shorter), in list order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** A lower-case hex string of `length` characters. */
  hex(length: number): string;
  /** A random (v4-shaped) GUID. */
  guid(): string;
  /** A derived, independent generator (for sub-streams that must not shift each other). */
  fork(salt: number): Rng;
}

/** mulberry32: 32-bit state, good enough statistical quality for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed and a salt into a new 32-bit seed (so forks of nearby seeds do not correlate). */
export function mixSeed(seed: number, salt: number): number {
  let h = (seed ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Creates a seeded pseudo-random number generator (mulberry32): the same seed always gives the same sequence. */
export function createRng(seed: number): Rng {
  const next = mulberry32(mixSeed(seed, 0));
  const rng: Rng = {
    next,
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
    chance(p) {
      return next() < p;
    },
    pick(items) {
      if (items.length === 0) throw new RangeError("pick from an empty list");
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted(items) {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1]![0];
    },
    sample(items, count) {
      const idx = items.map((_, i) => i);
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      return idx
        .slice(0, Math.max(0, count))
        .sort((x, y) => x - y)
        .map((i) => items[i]!);
    },
    hex(length) {
      let s = "";
      while (s.length < length)
        s += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, "0");
      return s.slice(0, length);
    },
    guid() {
      const h = rng.hex(32);
      const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    fork(salt) {
      return createRng(mixSeed(seed, salt + 1));
    },
  };
  return rng;
}
