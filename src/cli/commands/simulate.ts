// dbx-ts simulate: runs the bundle's simulator (declared with `new Simulator(...)`), which writes files into its
// landing volume: the local folder on the local target; on a workspace target a scratch folder whose files are
// uploaded to the volume. Its options are the simulator's own; a bundle without a simulator says so (exit 2).
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { Command } from 'commander';
import { RemoteApiError, UserError } from '../../errors/index.ts';
import type { EventSink } from '../../events/types.ts';
import type { SimulatorContext } from '../../extensions/types.ts';
import type { BundleModel } from '../../model/types.ts';
import { parseSimulatorArgs, runSimulator, simulatorVolume, withDefaults, type BundleSimulator } from '../../run/simulator.ts';
import { targetSchemaNames, targetVolumePath } from '../../run/target-schemas.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';

interface SimulateFlags {
  target?: string;
  var?: string[];
  json?: boolean;
}

/** Every data file under dir (relative, `/`-separated); paths with a part starting `_` or `.` are left out, as Auto Loader skips them. */
async function dataFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((rel) => !rel.split('/').some((part) => part.startsWith('_') || part.startsWith('.')))
    .sort();
}

async function simulateLocally(simulator: BundleSimulator, model: BundleModel, root: string, base: Omit<SimulatorContext, 'dir' | 'fileWritten'>, ctx: CliContext) {
  const { localPaths } = await import('../../local/paths.ts');
  const { volumeToLocalPath } = await import('../../local/engine/volumes.ts');
  const dir = volumeToLocalPath(base.volume, localPaths(root, ctx.env).volumes);
  return runSimulator(simulator, { ...base, dir, fileWritten: async () => {} });
}

/** A workspace target: simulate into a scratch folder; each file is uploaded when announced, other data files at the end. */
async function simulateToWorkspace(simulator: BundleSimulator, model: BundleModel, root: string, given: Omit<SimulatorContext, 'dir' | 'fileWritten'>, ctx: CliContext, sink: EventSink) {
  let base = given;
  const { connectTarget } = await import('../../deploy/connect.ts');
  const connection = await connectTarget(model.target, { env: ctx.env, repoRoot: root, events: sink });
  // The landing volume in this target's schema (development mode: the user's own).
  const volume = targetVolumePath(base.volume, await targetSchemaNames(model, () => connection.client.scim.me()));
  base = { ...base, volume };
  const scratch = await mkdtemp(join(tmpdir(), 'dbx-ts-simulate-'));
  const uploaded = new Set<string>();
  let uploads = Promise.resolve();
  const upload = (rel: string): Promise<void> => {
    if (uploaded.has(rel)) return uploads;
    uploaded.add(rel);
    uploads = uploads.then(async () => {
      const target = `${base.volume}/${rel}`;
      await connection.client.files.upload(target, await readFile(join(scratch, rel)), { overwrite: true });
      sink({ code: 'artifact.written', level: 'info', message: `uploaded ${target}`, data: { kind: 'volume-file', path: target } });
    });
    return uploads;
  };
  const state = simulator.props.state ?? [];
  try {
    // The simulator continues from the state it left in the volume (e.g. the next file number).
    for (const rel of state) {
      const contents = await downloadIfPresent(connection.client, `${base.volume}/${rel}`);
      if (contents === undefined) continue;
      await mkdir(dirname(join(scratch, rel)), { recursive: true });
      await writeFile(join(scratch, rel), contents);
    }
    const done = await runSimulator(simulator, { ...base, dir: scratch, fileWritten: (rel) => upload(rel.split(sep).join('/')) });
    for (const rel of await dataFilesUnder(scratch)) void upload(rel);
    await uploads;
    // State last: it says which files exist, so it never runs ahead of them.
    for (const rel of state) {
      const file = join(scratch, rel);
      const contents = await readFile(file).catch(() => undefined);
      if (contents === undefined) continue;
      uploaded.delete(rel);
      await upload(rel);
    }
    return done;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await connection.close();
  }
}

/** A file of the volume, or undefined when there is none (first simulation). */
async function downloadIfPresent(client: { files: { download(path: string): Promise<Buffer> } }, path: string): Promise<Buffer | undefined> {
  try {
    return await client.files.download(path);
  } catch (error) {
    if (error instanceof RemoteApiError && (error.details.status === 404 || error.details.error_code === 'NOT_FOUND')) return undefined;
    throw error;
  }
}

export function registerSimulate(program: Command, ctx: CliContext): void {
  varOption(
    program
      .command('simulate')
      .description("Run the bundle's data simulator: it writes files into its landing volume (local folder, or uploaded to the workspace)")
      .option('-t, --target <name>', 'target (default: the bundle default)'),
  )
    .option('--json', 'print events as NDJSON')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('-h, --help', "help; the simulator's own options are listed when one is misspelled")
    .action(async (flags: SimulateFlags, command: Command) => {
      const renderer = ctx.renderer(flags.json);
      try {
        await simulate(ctx, program, flags, command, renderer.sink);
      } finally {
        renderer.close();
      }
    });
}

async function simulate(ctx: CliContext, program: Command, flags: SimulateFlags, command: Command, sink: EventSink): Promise<void> {
  const { model, extensions, root, env } = await loadProject(
    ctx,
    program,
    { target: flags.target, vars: flags.var, checks: 'resolve', missingVariables: 'ignore' },
    sink,
  );
  const simulator = extensions.simulator;
  if (!simulator) {
    throw new UserError(
      `Bundle "${model.bundle.name}" has no simulator, so there is nothing to simulate.`,
      "Put files into the landing folders yourself (`dbx-ts run` says where), or declare one: new Simulator(app, 'data', { landing, run }).",
    );
  }
  const options = withDefaults(simulator, parseSimulatorArgs(simulator, command.args));
  const base = {
    volume: simulatorVolume(model, simulator),
    catalog: model.catalog,
    model,
    options,
    sink,
    signal: ctx.signal,
    env,
  };
  const done = model.target.local
    ? await simulateLocally(simulator, model, root, base, ctx)
    : await simulateToWorkspace(simulator, model, root, base, ctx, sink);
  if (done) sink({ code: 'log', level: 'info', message: done, data: {} });
}
