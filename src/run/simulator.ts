// Running a bundle's simulator: its landing volume for the target, its options from the command line (typed and
// range-checked as it declares them), and the context it writes through.
import { parseArgs } from 'node:util';
import { RemoteApiError, UserError } from '../errors/index.ts';
import type { Extensions } from '../extensions/registry.ts';
import type { SimulatorContext, SimulatorOption, SimulatorOptionValue } from '../extensions/types.ts';
import type { BundleModel } from '../model/types.ts';
import { variableValue } from '../model/resolve.ts';

export type BundleSimulator = NonNullable<Extensions['simulator']>;

/** The simulator's landing volume on the model's target: `${catalog}` and `${var.<name>}` filled in. */
export function simulatorVolume(model: BundleModel, simulator: BundleSimulator): string {
  return simulator.props.landing
    .replaceAll('${catalog}', model.catalog)
    .replace(/\$\{var\.([A-Za-z0-9_-]+)\}/g, (whole, name: string) => String(variableValue(model, name) ?? whole))
    .replace(/\/+$/, '');
}

/** `--rows 5 --stream` → typed values by the simulator's declarations; anything else is a usage error. */
export function parseSimulatorArgs(simulator: BundleSimulator, args: readonly string[]): Record<string, SimulatorOptionValue> {
  const declared = simulator.props.options ?? {};
  const spec = Object.fromEntries(Object.entries(declared).map(([name, o]) => [name, { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: spec, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UserError(`dbx-ts simulate: ${(error as Error).message.split('\n')[0]}`, optionsHint(declared));
  }
  const values: Record<string, SimulatorOptionValue> = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    if (raw === undefined) continue;
    values[name] = typeof raw === 'boolean' ? raw : checkValue(name, declared[name]!, String(raw));
  }
  return values;
}

/** The option values a run of the simulator sees: the given ones, else each option's default. */
export function withDefaults(simulator: BundleSimulator, given: Readonly<Record<string, SimulatorOptionValue>>): Record<string, SimulatorOptionValue | undefined> {
  const out: Record<string, SimulatorOptionValue | undefined> = {};
  for (const [name, option] of Object.entries(simulator.props.options ?? {})) out[name] = given[name] ?? option.default;
  for (const [name, value] of Object.entries(given)) out[name] = value;
  return out;
}

export function optionsHint(declared: Record<string, SimulatorOption>): string {
  const lines = Object.entries(declared).map(([name, o]) => {
    const value = o.type === 'boolean' ? '' : ` <${o.type}>`;
    const dflt = o.default !== undefined ? ` (default ${String(o.default)})` : '';
    return `  --${name}${value}  ${o.description}${dflt}`;
  });
  return lines.length > 0 ? `The bundle's simulator takes:\n${lines.join('\n')}` : 'The bundle\'s simulator takes no options.';
}

function checkValue(name: string, option: SimulatorOption, text: string): SimulatorOptionValue {
  if (option.type === 'string') return text;
  const n = Number(text);
  const { min, max } = option;
  const bad = text.trim() === '' || !Number.isFinite(n) || (option.type === 'integer' && !Number.isInteger(n)) || (min !== undefined && n < min) || (max !== undefined && n > max);
  if (bad) {
    const range = min !== undefined && max !== undefined ? ` ${min}..${max}` : min !== undefined ? ` >= ${min}` : max !== undefined ? ` <= ${max}` : '';
    throw new UserError(`--${name} must be ${option.type === 'integer' ? 'a whole number' : 'a number'}${range}, got "${text}".`);
  }
  return n;
}

/** Runs the bundle's simulator; an error it throws is the bundle's, reported as such (never as a dbx-ts bug). */
export async function runSimulator(simulator: BundleSimulator, ctx: SimulatorContext): Promise<string | void> {
  try {
    return await simulator.props.run(ctx);
  } catch (error) {
    if (error instanceof UserError || error instanceof RemoteApiError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const where = error instanceof Error ? stackLine(error) : undefined;
    throw new UserError(`The bundle's simulator "${simulator.key}" failed: ${message.split('\n')[0]}`, where ? `at ${where}` : undefined);
  }
}

/** The first stack frame outside dbx-ts: where in the bundle's code it failed. */
function stackLine(error: Error): string | undefined {
  return error.stack
    ?.split('\n')
    .slice(1)
    .map((l) => l.trim().replace(/^at\s+/, ''))
    .find((l) => !l.includes('/node_modules/') && !l.includes('node:') && !/\/src\/(run|cli|local)\//.test(l));
}
