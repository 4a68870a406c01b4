// Where a notebook's source file is: relative to the directory of the bundle file (the file that creates the
// Bundle), so a bundle carries its notebooks with it. One rule for synth (which reads them) and validate.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { BundleModel } from '../model/types.ts';

/** The directory notebook sources are relative to: the bundle file's, else (no location known) the project root. */
export function notebookSourceDir(model: Pick<BundleModel, 'locations'>, projectRoot: string): string {
  const file = model.locations['bundle']?.file;
  return file ? dirname(file) : projectRoot;
}

/** The absolute file of a `source` (or an include of a template), or a problem with the path as written. */
export function sourceFile(dir: string, source: string): { file: string } | { problem: string } {
  if (source.trim() === '') return { problem: 'is empty' };
  if (isAbsolute(source) || /^[A-Za-z]:[\\/]/.test(source)) return { problem: 'must be a relative path (relative to the bundle file)' };
  return { file: resolve(dir, source) };
}
