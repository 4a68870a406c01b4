// dbx-ts import <bundle-dir> [--out dir]: a YAML bundle written as a TypeScript definition, then checked: the
// definition is built for every target and compared with the YAML as the Databricks CLI resolves it.
import { join, relative, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import type { EventSink } from '../../events/types.ts';
import { formatDifference } from '../../import/compare.ts';
import { importBundle, type ImportNote, type ImportResult } from '../../import/index.ts';
import { compareTargets, type TargetComparison } from '../../import/round-trip.ts';
import { packageVersion } from '../../package-root.ts';
import type { CliContext } from '../context.ts';
import { loadBundle } from '../load-bundle.ts';
import { dependencySpec } from './init.ts';

export interface ImportCommandOptions {
  out?: string;
  verify?: boolean;
  json?: boolean;
}

function reportNotes(sink: EventSink, notes: ImportNote[], bundleDir: string, cwd: string): void {
  for (const n of notes) {
    const where = n.file ? `${relative(cwd, join(bundleDir, n.file)) || n.file}${n.line ? `:${n.line}` : ''}` : undefined;
    sink({
      code: 'diagnostic',
      level: n.severity === 'error' ? 'error' : n.severity === 'warning' ? 'warn' : 'info',
      message: where ? `${n.message}\n  at ${where}` : n.message,
      data: { severity: n.severity === 'error' ? 'error' : 'warning', ...(n.file ? { file: n.file } : {}), ...(n.line ? { line: n.line } : {}) },
    });
  }
}

function reportComparison(sink: EventSink, comparisons: TargetComparison[]): void {
  for (const c of comparisons) {
    const same = c.errors.length === 0 && c.differences.length === 0;
    const lines = [
      same ? `Target ${c.target}: the definition builds the same configuration as the YAML.` : `Target ${c.target}: ${c.errors.length} validation error(s), ${c.differences.length} difference(s) from the YAML.`,
      ...c.errors.map((e) => `  error: ${e}`),
      ...c.differences.slice(0, 20).map((d) => `  ${formatDifference(d)}`),
      ...(c.differences.length > 20 ? [`  ... and ${c.differences.length - 20} more`] : []),
    ];
    sink({ code: 'log', level: same ? 'info' : 'warn', message: lines.join('\n'), data: { target: c.target, errors: c.errors, differences: c.differences } });
  }
}

export async function importCommand(ctx: CliContext, bundleDir: string, opts: ImportCommandOptions): Promise<ImportResult> {
  const dir = resolvePath(ctx.cwd, bundleDir);
  const outDir = opts.out ? resolvePath(ctx.cwd, opts.out) : undefined;
  const result = await importBundle(dir, { ...(outDir ? { outDir } : {}), dependency: await dependencySpec(packageVersion(), outDir ?? dir) });
  const renderer = ctx.renderer(opts.json);
  reportNotes(renderer.sink, result.notes, result.bundleDir, ctx.cwd);
  const shown = relative(ctx.cwd, result.outDir) || '.';
  renderer.sink({
    code: 'artifact.written',
    level: 'info',
    message: `Imported bundle "${result.bundleName}" into ${shown}: ${result.written.join(', ')}`,
    data: { kind: 'definition', path: result.outDir },
  });
  if (opts.verify !== false) {
    let comparisons: TargetComparison[] | undefined;
    try {
      const loaded = await loadBundle(result.outDir, join(result.outDir, 'bundle.ts'));
      comparisons = await compareTargets(result.bundleDir, loaded.bundle, loaded.root, result.targets);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      renderer.sink({
        code: 'log',
        level: 'warn',
        message: `Could not load the new definition to compare it with the YAML: ${error.message}\n  Install its dependencies (npm install in ${shown}), then run dbx-ts validate there.`,
        data: {},
      });
    }
    if (comparisons) reportComparison(renderer.sink, comparisons);
  }
  renderer.close();
  return result;
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import <bundle-dir>')
    .description('Write a YAML bundle (databricks.yml and its includes) as a TypeScript definition, and check it builds the same')
    .option('--out <dir>', 'where the definition goes (default: the bundle folder, beside the YAML)')
    .option('--no-verify', 'do not build the definition and compare it with the YAML')
    .option('--json', 'print events as NDJSON')
    .action(async (bundleDir: string, opts: ImportCommandOptions) => {
      await importCommand(ctx, bundleDir, opts);
    });
}
