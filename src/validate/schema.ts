// Schema check: the emitted configuration, merged as the Databricks CLI sees it, against the official bundle schema.
// The merged document's paths are config paths already (resources.jobs.<key>.tasks[i]...), so each issue maps to
// the user's line through the resolver's locations; `${...}` references pass wherever the schema allows them.
import type { BundleModel } from '../model/types.ts';
import { validateBundleConfig, type SchemaIssue } from '../schema/validators.ts';
import { configFiles, mergedConfig } from '../synth/config.ts';
import { parentPath, pathKeys } from './config-path.ts';
import type { Reporter } from './locate.ts';
import { knownFields } from './schema-fields.ts';
import { closest } from './suggest.ts';

const UNKNOWN = /^unknown property "(.*)"$/;
const MISSING = /^missing required property "(.*)"$/;

interface Explained {
  path: string;
  message: string;
  /** A field this issue suggests instead, so a "missing required" for that same field can be folded into it. */
  suggests?: { parent: string; field: string };
}

function fieldName(path: string): string {
  return pathKeys(path).at(-1) ?? path;
}

function explain(issue: SchemaIssue): Explained {
  const unknown = UNKNOWN.exec(issue.message);
  if (unknown) {
    const parent = parentPath(issue.path);
    const field = unknown[1]!;
    const suggestion = closest(field, knownFields(parent));
    const where = parent === '' ? 'the bundle root' : parent;
    return {
      path: issue.path,
      message: `unknown field \`${field}\` in ${where}${suggestion ? ` (did you mean \`${suggestion}\`?)` : ''}`,
      ...(suggestion ? { suggests: { parent, field: suggestion } } : {}),
    };
  }
  const missing = MISSING.exec(issue.message);
  if (missing) {
    return { path: issue.path, message: `missing required field \`${missing[1]!}\` in ${issue.path || 'the bundle root'}` };
  }
  if (issue.path === '') return { path: '', message: `the bundle configuration ${issue.message}` };
  return { path: issue.path, message: `\`${fieldName(issue.path)}\` in ${parentPath(issue.path) || 'the bundle root'} ${issue.message}` };
}

/** Resource types whose `file_path` file supplies required fields (the CLI loads an alert's from its .dbalert.json). */
const FILE_SUPPLIED = new Set(['alerts']);

function suppliedByFile(config: Record<string, unknown>, path: string): boolean {
  const m = /^resources\.([^.[\]]+)\.([^.[\]]+)$/.exec(path);
  if (!m || !FILE_SUPPLIED.has(m[1]!)) return false;
  const resource = ((config['resources'] as Record<string, Record<string, Record<string, unknown>>> | undefined)?.[m[1]!] ?? {})[m[2]!];
  return typeof resource?.['file_path'] === 'string';
}

export function checkSchema(model: BundleModel, out: Reporter): void {
  const config = mergedConfig(configFiles(model));
  const explained = validateBundleConfig(config)
    .filter((i) => !(i.message.startsWith('missing required') && suppliedByFile(config, i.path)))
    .map(explain);
  // "missing notebook_path" next to "unknown notebok_path (did you mean notebook_path?)" is one mistake, not two
  const folded = new Set(explained.flatMap((e) => (e.suggests ? [`${e.suggests.parent}\u0000${e.suggests.field}`] : [])));
  for (const e of explained) {
    const missing = /^missing required field `(.*)` in /.exec(e.message);
    if (missing && folded.has(`${e.path}\u0000${missing[1]!}`)) continue;
    out.report('error', e.path, e.message);
  }
}
