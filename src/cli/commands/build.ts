import { relative, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { DiagnosticsError, UserError } from '../../errors/index.ts';
import { resolve } from '../../model/resolve.ts';
import { synthBundle } from '../../synth/index.ts';
import { writeBundleFiles } from '../../synth/write.ts';
import { errorCount } from '../../validate/diagnostic.ts';
import { validateResolved } from '../../validate/index.ts';
import type { CliContext } from '../context.ts';
import { loadBundle } from '../load-bundle.ts';
import { reportDiagnostics } from './validate.ts';

export interface BuildOptions {
  target?: string;
  out?: string;
  bundle?: string;
  json?: boolean;
}

/** Resolves, validates and writes the bundle; returns the output directory. */
export async function buildCommand(ctx: CliContext, opts: BuildOptions): Promise<string> {
  const loaded = await loadBundle(ctx.cwd, opts.bundle);
  const resolved = resolve(loaded.bundle, opts.target);
  const { model } = resolved;
  // Resolve's and validate's findings together, each problem once.
  const all = validateResolved(resolved, { repoRoot: loaded.root });
  const renderer = ctx.renderer(opts.json);
  reportDiagnostics(renderer.sink, all, ctx.cwd);
  if (errorCount(all) > 0) throw new DiagnosticsError(errorCount(all));
  const outDir = resolvePath(ctx.cwd, opts.out ?? `.dbx-ts/build/${model.target.name}`);
  await checkOutDir(outDir, opts.out);
  const result = await writeBundleFiles(outDir, synthBundle(model, { repoRoot: loaded.root })).catch((error: unknown) => {
    throw fileSystemError(error, outDir) ?? error;
  });
  renderer.sink({
    code: 'artifact.written',
    level: 'info',
    message: `Bundle "${model.bundle.name}" for target ${model.target.name} written to ${relative(ctx.cwd, outDir) || '.'} (${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed)`,
    data: { kind: 'bundle', path: outDir },
  });
  renderer.close();
  return outDir;
}

/** --out must be a directory (or not exist yet); a file there is the user's, never overwritten. */
async function checkOutDir(outDir: string, given: string | undefined): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new UserError(`--out ${given ?? outDir}: ${outDir} is a file, not a directory.`, 'Give a directory to write the bundle into (it is created if missing).');
  }
}

/** A write refused by the file system (permissions, a file in the way, a full disk) says where and why. */
function fileSystemError(error: unknown, outDir: string): UserError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!code || !['EACCES', 'EPERM', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EROFS', 'ENOSPC'].includes(code)) return undefined;
  const path = (error as NodeJS.ErrnoException).path ?? outDir;
  return new UserError(`Cannot write the bundle to ${outDir}: ${code} at ${path}.`, 'Check that --out names a directory you can write to.');
}

export function registerBuild(program: Command, ctx: CliContext): void {
  program
    .command('build')
    .description('Compile the bundle definition into a Databricks Asset Bundle directory')
    .option('-t, --target <name>', 'target to build for (default: the bundle default)')
    .option('--out <dir>', 'output directory (default: .dbx-ts/build/<target>)')
    .option('--json', 'print events as NDJSON')
    .action(async (opts: BuildOptions) => {
      await buildCommand(ctx, { ...program.opts<{ bundle?: string }>(), ...opts });
    });
}
