import { relative, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import type { EventSink } from '../../events/types.ts';
import { stat } from 'node:fs/promises';
import { UserError } from '../../errors/index.ts';
import { synthBundle } from '../../synth/index.ts';
import { writeBundleFiles } from '../../synth/write.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';

export interface BuildOptions {
  target?: string;
  out?: string;
  var?: string[];
  json?: boolean;
}

/** Resolves, validates and writes the bundle; returns the output directory. */
export async function buildCommand(ctx: CliContext, program: Command, opts: BuildOptions): Promise<string> {
  const renderer = ctx.renderer(opts.json);
  try {
    return await build(ctx, program, opts, renderer.sink);
  } finally {
    renderer.close();
  }
}

async function build(ctx: CliContext, program: Command, opts: BuildOptions, sink: EventSink): Promise<string> {
  const project = await loadProject(
    ctx,
    program,
    { target: opts.target, vars: opts.var, checks: 'full', missingVariables: 'warning', reportWarnings: true },
    sink,
  );
  const { model, root } = project;
  const outDir = resolvePath(ctx.cwd, opts.out ?? `.dbx-ts/build/${model.target.name}`);
  await checkOutDir(outDir, opts.out);
  const result = await writeBundleFiles(outDir, synthBundle(model, { repoRoot: root })).catch((error: unknown) => {
    throw fileSystemError(error, outDir) ?? error;
  });
  sink({
    code: 'artifact.written',
    level: 'info',
    message: `Bundle "${model.bundle.name}" for target ${model.target.name} written to ${relative(ctx.cwd, outDir) || '.'} (${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed)`,
    data: { kind: 'bundle', path: outDir },
  });
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
  varOption(
    program
      .command('build')
      .description('Compile the bundle definition into a Databricks Asset Bundle directory')
      .option('-t, --target <name>', 'target to build for (default: the bundle default)'),
  )
    .option('--out <dir>', 'output directory (default: .dbx-ts/build/<target>)')
    .option('--json', 'print events as NDJSON')
    .action(async (opts: BuildOptions) => {
      await buildCommand(ctx, program, opts);
    });
}
