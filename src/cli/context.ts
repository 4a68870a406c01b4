// What every command gets: where it runs, where it writes, how it renders events.
import type { Command } from 'commander';
import { chooseMode, createRenderer, type Output, type Renderer } from './render/renderer.ts';
import { colourEnabled, makeStyle } from './render/style.ts';

export interface RenderRequest {
  /** `--json`: the events as an NDJSON stream. */
  json?: boolean | undefined;
  /** `-o json`: one JSON document on stdout at the end, progress on stderr. */
  output?: string | undefined;
}

export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Output & { isTTY?: boolean };
  stderr: Output & { isTTY?: boolean };
  /** `--debug` or `--log-level debug`: debug events are shown (on stderr, or in the --json stream). */
  debug: boolean;
  /** A renderer for this command's events, honouring --json, -o json and whether stdout is a terminal. */
  renderer(how?: boolean | RenderRequest): Renderer;
  /** Aborted on Ctrl-C; a second Ctrl-C exits at once. */
  signal: AbortSignal;
}

export function makeContext(opts: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Output & { isTTY?: boolean };
  stderr: Output & { isTTY?: boolean };
  signal: AbortSignal;
}): CliContext {
  const ctx: CliContext = {
    ...opts,
    debug: false,
    renderer: (how) => {
      const request = typeof how === 'object' ? how : { json: how };
      const mode = chooseMode({ json: request.json, document: request.output === 'json', isTTY: opts.stdout.isTTY, ci: Boolean(ctx.env['CI']) });
      // Colours follow the stream they are written to: the live view on stdout, messages on stderr alike.
      const colour = colourEnabled(ctx.env, mode === 'document' ? opts.stderr.isTTY : opts.stdout.isTTY);
      return createRenderer(mode, opts.stdout, { err: opts.stderr, debug: ctx.debug, style: makeStyle(mode !== 'json' && colour) });
    },
  };
  return ctx;
}

/** A command module registers its subcommand on the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;
