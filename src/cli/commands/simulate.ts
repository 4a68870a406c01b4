import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { DbxEvent } from '../../events/types.ts';
import { UserError } from '../../errors/index.ts';
import { resolve } from '../../model/resolve.ts';
import type { CliContext } from '../context.ts';
import { loadBundle } from '../load-bundle.ts';

interface SimulateFlags {
  target?: string;
  rows?: string;
  files?: string;
  seed?: string;
  dirtyRate?: string;
  stream?: boolean;
  interval?: string;
  batches?: string;
  json?: boolean;
}

function number(flag: string, value: string | undefined, opts: { min: number; max?: number; integer?: boolean }): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < opts.min || (opts.max !== undefined && n > opts.max) || (opts.integer && !Number.isInteger(n))) {
    const range = opts.max !== undefined ? `${opts.min}..${opts.max}` : `>= ${opts.min}`;
    throw new UserError(`--${flag} must be ${opts.integer ? 'a whole number' : 'a number'} ${range}, got "${value}".`);
  }
  return n;
}

/** Where simulated files go on a target: the landing volume the reference pipeline reads. */
export function landingVolume(catalog: string): string {
  return `/Volumes/${catalog}/landing/raw`;
}

export function registerSimulate(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('Write simulated sales data (Parquet, with dirty rows) into the landing volume of a target')
    .option('-t, --target <name>', 'target (default: the bundle default, local)')
    .option('--rows <n>', 'batch sales rows (default 10000)')
    .option('--files <n>', 'batch sales files (default 4)')
    .option('--seed <n>', 'random seed: the same seed writes the same data (default 42)')
    .option('--dirty-rate <r>', 'share of dirty sales rows, 0..1 (default 0.05)')
    .option('--stream', 'also write streaming sales, one file per batch')
    .option('--interval <sec>', 'seconds between stream batches (default 5)')
    .option('--batches <n>', 'stream batches (default 10)')
    .option('--json', 'print events as NDJSON')
    .action(async (flags: SimulateFlags) => {
      const loaded = await loadBundle(ctx.cwd, program.opts<{ bundle?: string }>().bundle);
      const { model } = resolve(loaded.bundle, flags.target);
      const options = {
        ...(flags.rows !== undefined ? { rows: number('rows', flags.rows, { min: 1, integer: true })! } : {}),
        ...(flags.files !== undefined ? { files: number('files', flags.files, { min: 1, integer: true })! } : {}),
        ...(flags.seed !== undefined ? { seed: number('seed', flags.seed, { min: 0, integer: true })! } : {}),
        ...(flags.dirtyRate !== undefined ? { dirtyRate: number('dirty-rate', flags.dirtyRate, { min: 0, max: 1 })! } : {}),
        ...(flags.stream
          ? {
              stream: {
                intervalSec: number('interval', flags.interval ?? '5', { min: 0 })!,
                batches: number('batches', flags.batches ?? '10', { min: 1, integer: true })!,
              },
            }
          : {}),
      };
      const renderer = ctx.renderer(flags.json);
      const { simulate } = await import('../../local/simulate/index.ts');
      try {
        if (model.target.local) {
          const { landingDir, localPaths } = await import('../../local/paths.ts');
          const dir = landingDir(localPaths(loaded.root, ctx.env), model.catalog);
          await simulate(dir, options, { sink: renderer.sink, signal: ctx.signal });
          return;
        }
        // A workspace target: simulate into a scratch folder and upload each file to the volume as it is written.
        const { connectTarget } = await import('../../deploy/connect.ts');
        const connection = await connectTarget(model.target, { env: ctx.env, repoRoot: loaded.root, events: renderer.sink });
        const scratch = await mkdtemp(join(tmpdir(), 'dbx-ts-simulate-'));
        const volume = landingVolume(model.catalog);
        let uploads = Promise.resolve();
        const upload = (relative: string) => {
          uploads = uploads.then(async () => {
            await connection.client.files.upload(`${volume}/${relative}`, await readFile(join(scratch, relative)), { overwrite: true });
            renderer.sink({ code: 'artifact.written', level: 'info', message: `uploaded ${volume}/${relative}`, data: { kind: 'volume-file', path: `${volume}/${relative}` } });
          });
        };
        try {
          const manifest = await simulate(scratch, options, {
            signal: ctx.signal,
            sink: (e: DbxEvent) => {
              if (e.code === 'artifact.written' && e.data.kind === 'parquet') upload(e.data.path);
              else renderer.sink(e);
            },
          });
          for (const corrupt of manifest.corrupt_files) upload(corrupt);
          await uploads;
        } finally {
          await rm(scratch, { recursive: true, force: true });
          await connection.close();
        }
      } finally {
        renderer.close();
      }
    });
}
