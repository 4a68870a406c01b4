// What every command gets: where it runs, where it writes, how it renders events.
import type { Command } from 'commander';
import { chooseMode, createRenderer, type Output, type Renderer } from './render/renderer.ts';

export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Output & { isTTY?: boolean };
  stderr: Output;
  /** A renderer for this command's events, honouring --json and whether stdout is a terminal. */
  renderer(json?: boolean): Renderer;
  /** Aborted on Ctrl-C; a second Ctrl-C exits at once. */
  signal: AbortSignal;
}

export function makeContext(opts: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Output & { isTTY?: boolean };
  stderr: Output;
  signal: AbortSignal;
}): CliContext {
  return {
    ...opts,
    renderer: (json) => createRenderer(chooseMode({ json, isTTY: opts.stdout.isTTY, ci: Boolean(opts.env['CI']) }), opts.stdout),
  };
}

/** A command module registers its subcommand on the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;
