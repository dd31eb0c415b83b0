// The bench's figures: one row each, printed as a table and as one `BENCH_JSON` line.
import { describeSummary, summarize } from './stats.js';

export interface Target {
  /** `max`: the checked value must stay at or under `limit`; `min`: at or over it. */
  kind: 'max' | 'min';
  limit: number;
  /** Which number the target applies to: the figure itself or its ratio to the baseline. */
  on: 'value' | 'ratio';
}

export interface Figure {
  /** A stable key for the JSON line, like `execute_rtt_ms`. */
  id: string;
  label: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number } | undefined;
  /**
   * The ratio to the baseline when a better estimate than value / baseline exists, such as the
   * median of ratios of runs made side by side.
   */
  ratio?: number | undefined;
  target?: Target | undefined;
  /** n, percentiles, spread: what a reader needs to judge the figure. */
  details?: string | undefined;
}

/**
 * A latency figure: the median of `samples` in ms, its target a most of `limitMs`, its details
 * the samples' spread (to `digits` places) and then `note`, when there is one.
 */
export function latencyFigure(figure: {
  id: string;
  label: string;
  samples: readonly number[];
  limitMs: number;
  digits?: number;
  note?: string;
}): Figure {
  const summary = summarize(figure.samples);
  const spread = describeSummary(summary, figure.digits);
  return {
    id: figure.id,
    label: figure.label,
    value: summary.p50,
    unit: 'ms',
    target: { kind: 'max', limit: figure.limitMs, on: 'value' },
    details: figure.note === undefined ? spread : `${spread}; ${figure.note}`,
  };
}

export interface Row extends Omit<Figure, 'ratio'> {
  ratio: number | null;
  pass: boolean | null;
}

export function evaluate(figure: Figure): Row {
  const ratio =
    figure.ratio ??
    (figure.baseline && figure.baseline.value !== 0 ? figure.value / figure.baseline.value : null);
  let pass: boolean | null = null;
  if (figure.target) {
    const checked = figure.target.on === 'ratio' ? ratio : figure.value;
    if (checked !== null && Number.isFinite(checked)) {
      pass =
        figure.target.kind === 'max'
          ? checked <= figure.target.limit
          : checked >= figure.target.limit;
    } else {
      pass = false;
    }
  }
  return { ...figure, ratio, pass };
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

function describeTarget(figure: Row): string {
  if (!figure.target) return '—';
  const op = figure.target.kind === 'max' ? '≤' : '≥';
  const unit = figure.target.on === 'ratio' ? '×' : ` ${figure.unit}`;
  return `${figure.target.on === 'ratio' ? 'ratio ' : ''}${op} ${figure.target.limit}${unit}`;
}

/** Renders the rows as a fixed-width text table. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'median/value', 'baseline', 'ratio', 'target', 'result', 'details'];
  const lines = rows.map((row) => [
    row.label,
    `${fmt(row.value)} ${row.unit}`,
    row.baseline ? `${fmt(row.baseline.value)} ${row.unit} (${row.baseline.label})` : '—',
    row.ratio === null ? '—' : `${fmt(row.ratio)}×`,
    describeTarget(row),
    row.pass === null ? 'info' : row.pass ? 'PASS' : 'FAIL',
    row.details ?? '',
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((cells) => (cells[i] ?? '').length)),
  );
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  return [render(header), rule, ...lines.map(render)].join('\n');
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** One line of JSON keyed by figure id, to paste into notes. */
export function formatJson(rows: readonly Row[], meta: Record<string, unknown>): string {
  const figures: Record<string, unknown> = {};
  for (const row of rows) {
    figures[row.id] = {
      value: round(row.value),
      unit: row.unit,
      baseline: row.baseline ? round(row.baseline.value) : null,
      ratio: row.ratio === null ? null : round(row.ratio),
      target: row.target ?? null,
      pass: row.pass,
    };
  }
  return `BENCH_JSON ${JSON.stringify({ ...meta, figures })}`;
}
