// Line and bar widgets as Vega-Lite specs with their rows inline, compiled to Vega in Node so the page only needs
// the Vega runtime. The encodings mirror the Lakeview widgets: line x temporal, bar x categorical sorted by value.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Data, Spec as VegaSpec } from 'vega';
import { readCached, writeCached } from '../cache-dir.ts';
import { canonicalJson, sha256 } from '../deploy/hash.ts';
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

/** Vega-Lite's name for a chart's inline rows: compiled with a named source of that name instead, the same Vega comes out without the rows. */
const ROWS = 'source_0';

interface Compiled {
  spec: VegaSpec;
  warnings: string[];
}

/**
 * Compiles to Vega; compiler warnings are handed to `warn` instead of the console. What a chart compiles to depends
 * on its spec, not on its rows: it is cached by the spec without the rows (and the Vega-Lite version) and the rows
 * are put back in, so a dashboard whose data changed but whose charts did not is drawn without loading Vega-Lite.
 */
export async function compileChart(spec: TopLevelSpec, warn: (message: string) => void): Promise<VegaSpec> {
  const { data, ...shape } = spec as TopLevelSpec & { data?: { values?: unknown } };
  const values = data?.values;
  const compiled = Array.isArray(values) ? await compileWithoutRows(shape) : undefined;
  if (!compiled) {
    const direct = await compileNow(spec);
    for (const message of direct.warnings) warn(message);
    return direct.spec;
  }
  for (const message of compiled.warnings) warn(message);
  return { ...compiled.spec, data: compiled.spec.data!.map((d) => (isRowsSource(d) ? ({ ...d, values } as Data) : d)) };
}

/** The compiled form of a spec whose rows are left out, from the cache or compiled now (undefined if it has no place for rows). */
async function compileWithoutRows(shape: object): Promise<Compiled | undefined> {
  const name = `vega-${sha256(canonicalJson({ vegaLite: vegaLiteVersion(), shape }))}.json`;
  const cached = readCached(name);
  if (cached !== undefined) return JSON.parse(cached) as Compiled;
  const compiled = await compileNow({ ...shape, data: { name: ROWS } } as TopLevelSpec);
  if ((compiled.spec.data ?? []).filter(isRowsSource).length !== 1) return undefined;
  writeCached(name, JSON.stringify(compiled));
  return compiled;
}

const isRowsSource = (d: Data): boolean => d.name === ROWS && !('source' in d) && !('values' in d) && !('url' in d);

let version: string | undefined;

function vegaLiteVersion(): string {
  if (version === undefined) {
    const entry = createRequire(import.meta.url).resolve('vega-lite');
    version = (JSON.parse(readFileSync(join(dirname(dirname(entry)), 'package.json'), 'utf8')) as { version: string }).version;
  }
  return version;
}

/** Vega-Lite, loaded only to compile (it is large, and has top-level await, so it is imported, not required). */
async function compileNow(spec: TopLevelSpec): Promise<Compiled> {
  const { compile } = await import('vega-lite');
  const warnings: string[] = [];
  let level = 2;
  const logger = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
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
  return { spec: vega, warnings };
}
