// The sales simulator behind `dbx-ts simulate` and a first local run: the command line's options (as declared
// in index.ts) become simulate()'s, and each file is announced as soon as it is complete.
import type { SimulatorContext } from '../../../src/index.ts';
import { simulate, type SimulateOptions } from './simulate.ts';

function optionsFrom(values: SimulatorContext['options']): SimulateOptions {
  const n = (name: string) => (typeof values[name] === 'number' ? (values[name] as number) : undefined);
  const rows = n('rows');
  const files = n('files');
  const seed = n('seed');
  const dirtyRate = n('dirty-rate');
  return {
    ...(rows !== undefined ? { rows } : {}),
    ...(files !== undefined ? { files } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(dirtyRate !== undefined ? { dirtyRate } : {}),
    ...(values['corrupt-file'] === true ? { corruptFile: true } : {}),
    ...(values['stream'] === true ? { stream: { intervalSec: n('interval') ?? 5, batches: n('batches') ?? 10 } } : {}),
  };
}

export async function runSalesSimulator(ctx: SimulatorContext): Promise<void> {
  await simulate(ctx.dir, optionsFrom(ctx.options), { sink: ctx.sink, signal: ctx.signal, onFile: ctx.fileWritten });
}
