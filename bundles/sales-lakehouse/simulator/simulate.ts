// Writes a landing "volume" for the sales lakehouse: reference tables, batch sales files and, optionally,
// streaming sales batches that keep arriving every few seconds, all reproducible from one seed.

import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ParquetWriter, UserError, type EventSink } from '../../../src/index.ts';
import { generateDimensions } from './dimensions.ts';
import type { ResolvedSimulateOptions, SimulatedFile, SimulationManifest } from './manifest.ts';
import { MANIFEST_PATH, writeManifest } from './manifest.ts';
import { Prng } from './prng.ts';
import { SalesGenerator } from './sales.ts';
import { DRIFT_COLUMN, PRODUCT_COLUMNS, PROMOTION_COLUMNS, SALES_COLUMNS, STORE_COLUMNS } from './schema.ts';
import type { RawRow } from './schema.ts';

export interface SimulateOptions {
  /** Batch sales rows in total, spread over `files` files (default 10 000). */
  rows?: number;
  files?: number;
  seed?: number;
  /** Share of sales rows that are dirty, 0..1 (default 0.05). */
  dirtyRate?: number;
  products?: number;
  stores?: number;
  promotions?: number;
  /** Also write one corrupt Parquet file among the batch sales (default: no), to see it set aside as a bad file. */
  corruptFile?: boolean;
  /** Streaming sales: `batches` files, one every `intervalSec` seconds. */
  stream?: { intervalSec: number; batches: number; rowsPerBatch?: number };
}

export interface SimulateContext {
  sink?: EventSink;
  /** Told of each data file (landing-relative path) once it is complete, e.g. to upload it at once. */
  onFile?: (relativePath: string) => Promise<void> | void;
  /** Stops a streaming simulation between batches; what was written stays, and the manifest says how much. */
  signal?: AbortSignal;
}

/** Folder (under the landing directory) of each dataset; the pipeline's Auto Loader paths point at these. */
export const DATASET_DIRS = {
  products: 'products',
  stores: 'stores',
  promotions: 'promotions',
  sales_batch: 'sales_batch',
  sales_stream: 'sales_stream',
} as const;

export function resolveSimulateOptions(options: SimulateOptions): ResolvedSimulateOptions {
  const rows = options.rows ?? 10_000;
  const files = options.files ?? 4;
  const resolved: ResolvedSimulateOptions = {
    rows,
    files,
    seed: options.seed ?? 42,
    dirtyRate: options.dirtyRate ?? 0.05,
    products: options.products ?? 50,
    stores: options.stores ?? 12,
    promotions: options.promotions ?? 8,
    corruptFile: options.corruptFile ?? false,
  };
  if (options.stream) {
    resolved.stream = {
      intervalSec: options.stream.intervalSec,
      batches: options.stream.batches,
      rowsPerBatch: options.stream.rowsPerBatch ?? Math.max(1, Math.ceil(rows / Math.max(files, 1))),
    };
  }
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedSimulateOptions): void {
  const positive = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new UserError(`simulate: ${name} must be an integer ≥ ${min} (got ${v}).`);
  };
  positive('rows', o.rows, 0);
  positive('files', o.files, 1);
  positive('seed', o.seed, 0);
  positive('products', o.products, 1);
  positive('stores', o.stores, 1);
  positive('promotions', o.promotions, 0);
  if (!(o.dirtyRate >= 0 && o.dirtyRate <= 1)) throw new UserError(`simulate: dirtyRate must be between 0 and 1 (got ${o.dirtyRate}).`);
  if (o.stream) {
    positive('stream.batches', o.stream.batches, 0);
    positive('stream.rowsPerBatch', o.stream.rowsPerBatch, 1);
    if (!(o.stream.intervalSec >= 0)) throw new UserError(`simulate: stream.intervalSec must be ≥ 0 (got ${o.stream.intervalSec}).`);
  }
}

/** The manifest a previous simulation left in this landing zone, if any (an unreadable one counts as none). */
function previousManifest(landingDir: string): SimulationManifest | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(landingDir, MANIFEST_PATH), 'utf8')) as Partial<SimulationManifest>;
    return parsed.next ? (parsed as SimulationManifest) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes everything into `landingDir` and resolves with the manifest (also written to `_simulator/manifest.json`). */
export async function simulate(landingDir: string, options: SimulateOptions = {}, ctx: SimulateContext = {}): Promise<SimulationManifest> {
  const sink = ctx.sink ?? (() => {});
  const opts = resolveSimulateOptions(options);
  const prng = new Prng(opts.seed);
  const dims = generateDimensions(prng, opts, opts.dirtyRate);
  // Auto Loader takes a path once: a second simulation must write new file names and new transactions.
  const start = previousManifest(landingDir)?.next ?? { transaction: 1, batch_file: 0, stream_file: 0 };
  const sales = new SalesGenerator(prng, {
    productIds: dims.products.map((p) => String(p.product_id)),
    storeIds: dims.stores.map((s) => String(s.store_id)),
    promotionIds: dims.promotions.map((p) => String(p.promotion_id)),
    listPrice: dims.listPrice,
    dirtyRate: opts.dirtyRate,
    firstSequence: start.transaction,
  });
  const manifest: SimulationManifest = {
    generator: 'dbx-ts simulate',
    options: opts,
    files: [],
    products: { rows: dims.products.length, category_noise: dims.categoryNoise },
    stores: { rows: dims.stores.length },
    promotions: { rows: dims.promotions.length },
    sales: sales.tallies,
    schema_drift: { file: null, column: DRIFT_COLUMN.name, rows: 0 },
    corrupt_files: [],
    stream_batches_written: 0,
    next: { ...start },
  };
  const writer = await ParquetWriter.open();
  const wrote = async (file: SimulatedFile, columns: typeof SALES_COLUMNS, rows: RawRow[]) => {
    await writer.write(join(landingDir, file.path), columns, rows);
    manifest.files.push(file);
    manifest.next.transaction = sales.nextSequence;
    sink({ code: 'artifact.written', level: 'debug', message: `wrote ${file.path} (${file.rows} rows)`, data: { kind: 'parquet', path: file.path } });
    await ctx.onFile?.(file.path);
  };
  try {
    await wrote({ path: `${DATASET_DIRS.products}/products.parquet`, dataset: 'products', rows: dims.products.length, role: 'data' }, PRODUCT_COLUMNS, dims.products);
    await wrote({ path: `${DATASET_DIRS.stores}/stores.parquet`, dataset: 'stores', rows: dims.stores.length, role: 'data' }, STORE_COLUMNS, dims.stores);
    await wrote(
      { path: `${DATASET_DIRS.promotions}/promotions.parquet`, dataset: 'promotions', rows: dims.promotions.length, role: 'data' },
      PROMOTION_COLUMNS,
      dims.promotions,
    );

    // The last batch file drifts, never the first: Auto Loader infers the schema from the earliest file.
    const driftIndex = opts.files >= 2 ? opts.files - 1 : -1;
    for (let i = 0; i < opts.files; i++) {
      const count = Math.floor(opts.rows / opts.files) + (i < opts.rows % opts.files ? 1 : 0);
      const rows = sales.generate('sales_batch', count);
      const path = `${DATASET_DIRS.sales_batch}/part-${String(start.batch_file + i).padStart(5, '0')}.parquet`;
      if (i === driftIndex) {
        for (const row of rows) row[DRIFT_COLUMN.name] = `SAVE${prng.int(5, 30)}`;
        manifest.schema_drift = { file: path, column: DRIFT_COLUMN.name, rows: rows.length };
        await wrote({ path, dataset: 'sales_batch', rows: rows.length, role: 'schema_drift' }, [...SALES_COLUMNS, DRIFT_COLUMN], rows);
      } else {
        await wrote({ path, dataset: 'sales_batch', rows: rows.length, role: 'data' }, SALES_COLUMNS, rows);
      }
    }
    manifest.next.batch_file = start.batch_file + opts.files;
    if (opts.corruptFile) {
      const corruptPath = `${DATASET_DIRS.sales_batch}/part-${String(manifest.next.batch_file).padStart(5, '0')}.parquet`;
      manifest.next.batch_file += 1;
      writeCorrupt(join(landingDir, corruptPath), garbage(prng, 512));
      manifest.files.push({ path: corruptPath, dataset: 'sales_batch', rows: 0, role: 'corrupt' });
      await ctx.onFile?.(corruptPath);
      manifest.corrupt_files.push(corruptPath);
    }
    writeManifest(landingDir, manifest);

    if (opts.stream) await streamBatches(landingDir, opts.stream, sales, wrote, manifest, ctx.signal);
  } finally {
    writer.close();
  }
  sink({
    code: 'log',
    level: 'info',
    message: `simulated ${manifest.files.length} files in ${landingDir}`,
    data: { files: manifest.files.length, stream_batches: manifest.stream_batches_written },
  });
  return manifest;
}

async function streamBatches(
  landingDir: string,
  stream: NonNullable<ResolvedSimulateOptions['stream']>,
  sales: SalesGenerator,
  wrote: (file: SimulatedFile, columns: typeof SALES_COLUMNS, rows: RawRow[]) => Promise<void>,
  manifest: SimulationManifest,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let b = 0; b < stream.batches; b++) {
    if (signal?.aborted) return;
    if (b > 0 && stream.intervalSec > 0) {
      try {
        await sleep(stream.intervalSec * 1000, undefined, { signal });
      } catch {
        return; // aborted while waiting
      }
    }
    const rows = sales.generate('sales_stream', stream.rowsPerBatch);
    const path = `${DATASET_DIRS.sales_stream}/batch-${String(manifest.next.stream_file).padStart(5, '0')}.parquet`;
    await wrote({ path, dataset: 'sales_stream', rows: rows.length, role: 'data' }, SALES_COLUMNS, rows);
    manifest.stream_batches_written = b + 1;
    manifest.next.stream_file += 1;
    writeManifest(landingDir, manifest);
  }
}

/** Bytes that carry a `.parquet` name but are not Parquet (what a truncated upload leaves), written atomically. */
function writeCorrupt(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const hidden = join(dirname(path), `.${basename(path)}.tmp`);
  writeFileSync(hidden, bytes);
  renameSync(hidden, path);
}

/** Deterministic bytes that are not Parquet: no `PAR1` footer, so every reader rejects them. */
function garbage(prng: Prng, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = prng.int(0, 255);
  bytes[length - 1] = 0; // never ends in the magic bytes by chance
  return bytes;
}
