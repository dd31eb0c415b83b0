// Proves: iso() formats exactly as Date's toISOString — at the edges of seconds, days and years,
// across the whole range it serves (1970–9999, from a fixed seed), and outside it (negative or
// fractional times) — and keeps null as null.
import { describe, expect, it } from 'vitest';

import { iso } from '../../src/engine/verbs/present.js';

// A small seeded generator (mulberry32), so a failure names a time that fails again.
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('iso', () => {
  it('matches toISOString at the edges', () => {
    const day = 86_400_000;
    const edges = [0, 1, 9, 10, 99, 100, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000];
    const days = [0, 1, 59, 365, 366, 11_016, 20_000, 2_932_896];
    for (const d of days) {
      for (const ms of [...edges, day - 1]) {
        expect(iso(d * day + ms)).toBe(new Date(d * day + ms).toISOString());
      }
    }
    expect(iso(253_402_300_799_999)).toBe('9999-12-31T23:59:59.999Z');
  });

  it('matches toISOString across 1970–9999, and outside its fast range', () => {
    const random = seeded(42);
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(random() * 253_402_300_800_000);
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
    for (const ms of [-1, -86_400_001, 1.5, 1_700_000_000_000.25]) {
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
    expect(iso(null)).toBeNull();
  });
});
