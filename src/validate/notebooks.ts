// Every notebook's source must exist under notebooks-src/ of the repository (synth renders it from there).
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { BundleModel } from '../model/types.ts';
import type { Reporter } from './locate.ts';

export const NOTEBOOK_SOURCE_DIR = 'notebooks-src';

export function checkNotebookSources(model: BundleModel, repoRoot: string, out: Reporter): void {
  const dir = join(repoRoot, NOTEBOOK_SOURCE_DIR);
  for (const [key, nb] of Object.entries(model.notebooks)) {
    const path = `notebooks.${key}.source`;
    const file = join(dir, nb.source);
    const inside = relative(dir, file);
    if (isAbsolute(nb.source) || inside.startsWith('..') || isAbsolute(inside)) {
      out.report('error', path, `Notebook "${key}": source "${nb.source}" must be a path inside ${NOTEBOOK_SOURCE_DIR}/.`);
    } else if (!existsSync(file) || !statSync(file).isFile()) {
      out.report('error', path, `Notebook "${key}": source file ${NOTEBOOK_SOURCE_DIR}/${inside} does not exist.`);
    }
  }
}
