// synth: BundleModel → the files of a standard Databricks Asset Bundle. Pure and deterministic.
import { namespacedText } from '../model/namespace.ts';
import { variableValue } from '../model/resolve.ts';
import { redact } from '../redaction/index.ts';
import type { BundleModel } from '../model/types.ts';
import { serializeLakeviewDashboard } from '../dashboard/lakeview.ts';
import { configFiles } from './config.ts';
import { notebookSourceDir } from './notebook-source.ts';
import { renderNotebook, TABLES_RUNTIME_PATH, tablesRuntimeSource } from './notebooks.ts';
import { renderPipelineSql } from './pipeline-sql.ts';
import { sourceFiles } from './sources.ts';
import { toYaml } from './yaml.ts';

const RUNTIME_MODULE = TABLES_RUNTIME_PATH.split('/').pop()!.replace(/\.py$/, '');

export interface SynthFile {
  /** Bundle-relative path with forward slashes. */
  path: string;
  /** Text, or bytes for a source file of the user's that is not UTF-8 text. */
  content: string | Uint8Array;
  /** A file of the user's that resources name (sources.ts), copied as it is. */
  source?: true;
}

export interface SynthOptions {
  /** Project root (where package.json is); notebook sources are relative to the bundle file (notebook-source.ts). */
  repoRoot: string;
}

export function synthBundle(model: BundleModel, opts: SynthOptions): SynthFile[] {
  const files: SynthFile[] = configFiles(model).map((f) => ({ path: f.path, content: toYaml(f.doc) }));
  const ctx = { catalog: model.catalog, bundleName: model.bundle.name, sourceDir: notebookSourceDir(model, opts.repoRoot), variables: variableValues(model) };
  // Schemas of the bundle's catalog are named by their per-target parameter in generated code (target isolation).
  const namespaced = (text: string) => namespacedText(text, model.schema_keys ?? {});
  let importsRuntime = false;
  for (const nb of Object.values(model.notebooks)) {
    const content = renderNotebook(nb, ctx);
    importsRuntime ||= content.includes(`import ${RUNTIME_MODULE}`);
    files.push({ path: nb.path, content: namespaced(content) });
  }
  // The table runtime, once, as a workspace file the notebooks import (not pasted into each).
  if (importsRuntime) files.push({ path: TABLES_RUNTIME_PATH, content: tablesRuntimeSource() });
  for (const p of Object.values(model.resources.pipelines)) {
    if (p.source_path !== undefined) files.push({ path: p.source_path, content: namespaced(renderPipelineSql(p)) });
  }
  for (const d of Object.values(model.resources.dashboards)) {
    if (d.from_file) continue;
    // Queries are relative to the dashboard's dataset_catalog / dataset_schema where it sets them (target isolation).
    const relative = { catalog: d.settings['dataset_catalog'] !== undefined, schema: d.settings['dataset_schema'] !== undefined };
    files.push({ path: d.file_path, content: ensureNewline(serializeLakeviewDashboard(d, { catalog: model.catalog, relative })) });
  }
  // Generated files are written to disk and uploaded: a secret value dbx-ts holds never lands in one.
  const generated = files.map((f) => ({ ...f, content: redact(f.content as string) }));
  // The user's own files that resources name, so the build is a bundle the Databricks CLI can deploy as it is.
  const taken = new Set(generated.map((f) => f.path));
  const sources = sourceFiles(model, opts.repoRoot).filter((f) => !taken.has(f.path)).map((f): SynthFile => ({ path: f.path, content: f.content, source: true }));
  return [...generated, ...sources].sort((a, b) => a.path.localeCompare(b.path));
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The target's variable values (override, else default), for widget defaults in generated notebooks. */
function variableValues(model: BundleModel): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const name of Object.keys(model.variables)) {
    const value = variableValue(model, name);
    if (value !== undefined && typeof value !== 'object') out[name] = value;
  }
  return out;
}
