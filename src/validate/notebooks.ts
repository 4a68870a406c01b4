// Every notebook's source must exist, relative to the bundle file's directory (synth renders it from there).
import { existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { BundleModel } from '../model/types.ts';
import { notebookSourceDir, sourceFile } from '../synth/notebook-source.ts';
import type { Reporter } from './locate.ts';

export function checkNotebookSources(model: BundleModel, repoRoot: string, out: Reporter): void {
  const dir = notebookSourceDir(model, repoRoot);
  for (const [key, nb] of Object.entries(model.notebooks)) {
    const path = `notebooks.${key}.source`;
    const found = sourceFile(dir, nb.source);
    if ('problem' in found) {
      out.report('error', path, `Notebook "${key}": source "${nb.source}" ${found.problem}.`);
    } else if (!existsSync(found.file) || !statSync(found.file).isFile()) {
      out.report('error', path, `Notebook "${key}": source file ${relative(repoRoot, found.file) || found.file} does not exist (sources are relative to the bundle file's folder).`);
    }
  }
}
