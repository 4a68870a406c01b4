// dbx-ts generate job|pipeline|dashboard --existing-id <id> [--key k] [--bind]: the Databricks CLI's
// `bundle generate` for a TypeScript definition (see src/generate). With --bind, the new resource is bound to the
// object it came from, so the next deploy updates that object instead of creating a copy.
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { Bundle } from '../../constructs/bundle.ts';
import { bindResource } from '../../deploy/bind.ts';
import { connectTarget } from '../../deploy/connect.ts';
import { UserError } from '../../errors/index.ts';
import { generateResource, RESOURCE_TYPE, type GenerateKind } from '../../generate/index.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';

interface GenerateCommandOptions {
  existingId?: string;
  existingJobId?: string;
  existingPipelineId?: string;
  key?: string;
  configDir?: string;
  sourceDir?: string;
  force?: boolean;
  bind?: boolean;
  target?: string;
  var?: string[];
  json?: boolean;
}

const KINDS: readonly GenerateKind[] = ['job', 'pipeline', 'dashboard'];

async function generateCommand(ctx: CliContext, program: Command, kind: GenerateKind, opts: GenerateCommandOptions): Promise<void> {
  const id = opts.existingId ?? (kind === 'job' ? opts.existingJobId : kind === 'pipeline' ? opts.existingPipelineId : undefined);
  if (!id) throw new UserError(`dbx-ts generate ${kind} needs --existing-id <id>.`);
  const renderer = ctx.renderer(opts.json);
  try {
    const project = await loadProject(ctx, program, { target: opts.target, vars: opts.var, checks: 'resolve', missingVariables: 'ignore' }, renderer.sink);
    const connection = await connectTarget(project.model.target, { env: project.env, repoRoot: project.root, events: renderer.sink });
    try {
      const result = await generateResource({
        client: connection.client,
        kind,
        id,
        key: opts.key,
        projectRoot: project.root,
        sourceRoot: resolvePath(project.root, project.model.source_root ?? '.'),
        entryFile: project.file,
        configDir: opts.configDir,
        sourceDir: opts.sourceDir,
        force: opts.force,
      });
      for (const note of result.notes) renderer.sink({ code: 'log', level: 'warn', message: note, data: {} });
      renderer.sink({
        code: 'artifact.written',
        level: 'info',
        message: `Generated ${result.type}.${result.key} from ${kind} ${id}: ${result.written.join(', ')}`,
        data: { kind: 'definition', path: result.module },
      });
      if (result.manual) {
        renderer.sink({ code: 'log', level: 'warn', message: `Not added to ${project.file}: ${result.manual.reason}. Add these two lines to declare it:\n  ${result.manual.lines.join('\n  ')}`, data: {} });
      } else {
        renderer.sink({ code: 'log', level: 'info', message: result.wiring === 'added' ? `Declared in ${project.file} (${result.functionName}).` : `Already declared in ${project.file}.`, data: {} });
      }
      if (!opts.bind) return;
      if (result.manual) throw new UserError(`--bind: ${result.type}.${result.key} is not declared by the bundle yet, so it cannot be bound.`, `Add the two lines above, then run dbx-ts bind ${result.key} ${id}.`);
      const module = (await import(pathToFileURL(resolvePath(project.root, result.module)).href)) as Record<string, (app: Bundle) => unknown>;
      const declare = module[result.functionName]!;
      const withResource = await loadProject(
        ctx,
        program,
        { target: opts.target, vars: opts.var, checks: 'full', missingVariables: 'error', extend: async (bundle) => void declare(bundle) },
        renderer.sink,
      );
      // As the Databricks CLI's generate --bind: approved, since the settings were just read from the object.
      await bindResource({ model: withResource.model, repoRoot: project.root, client: connection.client, creator: connection.creator, sink: renderer.sink, vars: project.vars, env: project.env, signal: ctx.signal, autoApprove: true, key: `${result.type}.${result.key}`, id });
    } finally {
      await connection.close();
    }
  } finally {
    renderer.close();
  }
}

export function registerGenerate(program: Command, ctx: CliContext): void {
  const generate = program.command('generate').description('Write the TypeScript definition of a job, pipeline or dashboard made in the workspace, with its notebooks');
  for (const kind of KINDS) {
    const command = generate
      .command(kind)
      .description(`Generate the definition of an existing ${kind} (${RESOURCE_TYPE[kind]}) and download the files it uses`)
      .option('--existing-id <id>', `the ${kind}'s id in the workspace`);
    if (kind === 'job') command.option('--existing-job-id <id>', 'the same, as the Databricks CLI spells it');
    if (kind === 'pipeline') command.option('--existing-pipeline-id <id>', 'the same, as the Databricks CLI spells it');
    varOption(command)
      .option('--key <key>', "the resource key (default: the object's name, normalised)")
      .option('-d, --config-dir <dir>', 'where the TypeScript module goes', 'resources')
      .option('-s, --source-dir <dir>', 'where downloaded notebooks and files go', 'src')
      .option('-f, --force', 'overwrite files that exist')
      .option('-b, --bind', 'bind the new resource to the object it came from (the next deploy updates it)')
      .option('-t, --target <name>', 'target whose workspace to read (default: the bundle default)')
      .option('--json', 'print events as NDJSON')
      .action(async (opts: GenerateCommandOptions) => {
        await generateCommand(ctx, program, kind, opts);
      });
  }
}
