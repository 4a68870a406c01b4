// Line and bar widgets as Vega-Lite specs with their rows inline, compiled to Vega in Node so the page only needs
// the Vega runtime. The encodings mirror the Lakeview widgets: line x temporal, bar x categorical sorted by value.
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Spec as VegaSpec } from 'vega';
import type { WidgetModel } from '../model/types.ts';
import type { PlainRow } from './plain-values.ts';

export interface ChartSize {
  width: number;
  height: number;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const COLOR = '#077A9D'; // the first colour of the Lakeview palette

/** True when every non-null value of the column looks like a date or timestamp. */
export function isTemporalColumn(rows: readonly PlainRow[], column: string): boolean {
  const values = rows.map((r) => r[column]).filter((v) => v !== null && v !== undefined);
  return values.length > 0 && values.every((v) => typeof v === 'string' && DATE_LIKE.test(v));
}

/**
 * Timestamps without a zone are read as UTC (as Databricks shows them), so axis labels do not shift with the
 * viewer's time zone: `2024-03-01 10:00:00` becomes `2024-03-01T10:00:00Z`.
 */
function asUtc(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00Z`;
  const iso = value.replace(' ', 'T');
  return /(?:Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
}

/** Vega-Lite reads `.` and `[ ]` in a field name as nested access; escape them to mean the column itself. */
function fieldRef(column: string): string {
  return column.replace(/[.[\]\\]/g, (c) => `\\${c}`);
}

export function vegaLiteSpec(widget: WidgetModel, x: string, y: string, rows: readonly PlainRow[], size: ChartSize): TopLevelSpec {
  const base = {
    width: size.width,
    height: size.height,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'transparent',
    config: { view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
  } as const;
  if (widget.kind === 'line') {
    const temporal = isTemporalColumn(rows, x);
    const values = temporal ? rows.map((r) => ({ ...r, [x]: asUtc(String(r[x])) })) : [...rows];
    return {
      ...base,
      data: { values },
      mark: { type: 'line', point: true, tooltip: true, color: COLOR },
      encoding: {
        x: temporal
          ? {
              field: fieldRef(x),
              type: 'temporal',
              title: x,
              // Whole days get one tick per day (not several ticks labelled with the same date).
              ...(values.every((r) => String(r[x]).startsWith(String(r[x]).slice(0, 10) + 'T00:00:00'))
                ? { timeUnit: 'utcyearmonthdate', axis: { format: '%b %d' } }
                : { scale: { type: 'utc' } }),
            }
          : { field: fieldRef(x), type: 'ordinal', title: x },
        y: { field: fieldRef(y), type: 'quantitative', title: y },
      },
    } as TopLevelSpec;
  }
  return {
    ...base,
    data: { values: [...rows] },
    mark: { type: 'bar', tooltip: true, color: COLOR },
    encoding: {
      x: { field: fieldRef(x), type: 'nominal', title: x, sort: '-y', axis: { labelAngle: -40, labelLimit: 140 } },
      y: { field: fieldRef(y), type: 'quantitative', title: y },
    },
  } as TopLevelSpec;
}

/** Compiles to Vega; compiler warnings are handed to `warn` instead of the console. */
export function compileChart(spec: TopLevelSpec, warn: (message: string) => void): VegaSpec {
  let level = 2;
  const logger = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      warn(args.map(String).join(' '));
      return logger;
    },
    warn(...args: unknown[]) {
      warn(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  // $schema is only a label (never fetched); dropped so the page names no URL at all.
  const { $schema: _schema, ...vega } = compile(spec, { logger }).spec;
  return vega;
}
