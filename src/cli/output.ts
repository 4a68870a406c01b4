// `-o, --output text|json`, spelled as the Databricks CLI spells it: text for people, or one JSON document on
// stdout for scripts (progress and warnings then go to stderr).
import type { Command } from 'commander';
import { UserError } from '../errors/index.ts';

export type OutputType = 'text' | 'json';

export function parseOutputType(text: string | undefined, allowed: readonly string[] = ['text', 'json']): string {
  const value = (text ?? 'text').trim().toLowerCase();
  if (!allowed.includes(value)) throw new UserError(`--output ${text}: expected ${allowed.join(' or ')}`);
  return value;
}

/** Adds `-o, --output <type>` to a command. */
export function outputOption(command: Command, description = 'output type: text or json (one JSON document on stdout)'): Command {
  return command.option('-o, --output <type>', description);
}

/** Events as NDJSON (--json) and a JSON document (-o json) are two answers to one question: refuse both at once. */
export function renderRequest(opts: { json?: boolean; output?: string }): { json?: boolean; output: OutputType } {
  const output = parseOutputType(opts.output) as OutputType;
  if (opts.json && output === 'json') throw new UserError('--json and -o json cannot be used together', '--json streams events as NDJSON; -o json prints one JSON document at the end.');
  return { json: opts.json === true, output };
}
