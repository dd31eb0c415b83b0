// Small, exact statistics over timing samples: medians and percentiles by linear interpolation.

/** The p-th percentile (0–100) of SAMPLES, interpolating between neighbours; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? Number.NaN;
  return lowValue + (highValue - lowValue) * (rank - low);
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    min: samples.length === 0 ? Number.NaN : Math.min(...samples),
    p50: median(samples),
    p90: percentile(samples, 90),
    max: samples.length === 0 ? Number.NaN : Math.max(...samples),
  };
}

/** A short "n=60 p90=4.1 max=9.3" for the details column. */
export function describeSummary(summary: Summary, digits = 2): string {
  const f = (value: number): string => value.toFixed(digits);
  return `n=${summary.n} min=${f(summary.min)} p90=${f(summary.p90)} max=${f(summary.max)}`;
}

/**
 * Wall-clock time in milliseconds with sub-millisecond resolution. `Date.now()` is whole
 * milliseconds; `performance.timeOrigin + performance.now()` is the realtime clock read once at
 * start, advanced by the monotonic clock, so it is comparable with `date +%s%N` in a child
 * (the two drift apart only by NTP slewing, parts per million over a run of seconds).
 */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A realtime clock reading in nanoseconds, as a child prints it (`date +%s%N`, Python's
 * `time.time_ns()`), in the milliseconds of `wallNowMs`.
 */
export function nsToMs(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{19}$/.test(trimmed)) {
    throw new Error(`bench: expected a clock reading in ns, got ${JSON.stringify(text)}`);
  }
  // Split so the ns count never passes through a double (2^53 ns is only ~104 days).
  return Number(trimmed.slice(0, 13)) + Number(trimmed.slice(13)) / 1e6;
}

/** Milliseconds elapsed since a `performance.now()` reading. */
export function since(start: number): number {
  return performance.now() - start;
}
