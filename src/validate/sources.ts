// Files that resources name by a local path (a notebook, a Python or SQL file, a dashboard, a pipeline glob) must
// exist under the bundle's source root: the build copies them and deploy uploads them (synth/sources.ts).
import type { BundleModel } from '../model/types.ts';
import { sourcePaths } from '../synth/sources.ts';
import type { Reporter } from './locate.ts';

export function checkSourceFiles(model: BundleModel, repoRoot: string, out: Reporter): void {
  for (const { ref, message } of sourcePaths(model, repoRoot).problems) out.report('error', ref.from, `${message}.`);
}
