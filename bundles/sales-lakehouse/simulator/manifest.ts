// What a simulation wrote and how dirty it is, so tests can predict each row's fate without a tell-tale column.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SalesDataset, SalesTally } from './sales.ts';

export type SimulatedDataset = 'products' | 'stores' | 'promotions' | SalesDataset;

export interface SimulatedFile {
  /** Relative to the landing directory, with `/` separators. */
  path: string;
  dataset: SimulatedDataset;
  rows: number;
  /** `schema_drift`: carries an extra column; `corrupt`: not Parquet at all. */
  role: 'data' | 'schema_drift' | 'corrupt';
}

export interface ResolvedSimulateOptions {
  rows: number;
  files: number;
  seed: number;
  dirtyRate: number;
  products: number;
  stores: number;
  promotions: number;
  /** Whether a corrupt batch sales file was written too. */
  corruptFile: boolean;
  stream?: { intervalSec: number; batches: number; rowsPerBatch: number };
}

export interface SimulationManifest {
  generator: 'dbx-ts simulate';
  options: ResolvedSimulateOptions;
  files: SimulatedFile[];
  products: { rows: number; category_noise: number };
  stores: { rows: number };
  promotions: { rows: number };
  sales: Record<SalesDataset, SalesTally>;
  schema_drift: { file: string | null; column: string; rows: number };
  corrupt_files: string[];
  /** Stream batches written so far (all of them unless the run was stopped). */
  stream_batches_written: number;
  /** Where a later simulation into the same landing zone continues, so its files and transactions are new. */
  next: { transaction: number; batch_file: number; stream_file: number };
}

/** Kept out of the data folders: Auto Loader skips paths that start with `_`. */
export const MANIFEST_PATH = join('_simulator', 'manifest.json');

export function writeManifest(landingDir: string, manifest: SimulationManifest): string {
  const path = join(landingDir, MANIFEST_PATH);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, path);
  return path;
}
