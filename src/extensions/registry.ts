// The functions a bundle plugs in, collected from the construct tree by resolve and returned beside the model:
// local implementations of notebooks (by notebook key), the simulator, result views (in declaration order).
import type { Construct } from '../constructs/construct.ts';
import { Notebook } from '../constructs/notebook.ts';
import { ResultView, type ResultViewProps } from '../constructs/result-view.ts';
import { Simulator, type SimulatorProps } from '../constructs/simulator.ts';
import type { Diagnostic } from '../validate/diagnostic.ts';
import type { LocalNotebookRun } from './types.ts';

/** `dbx-ts show` words that are not result views. */
export const RESERVED_VIEW_NAMES = ['quality'];

export interface Extensions {
  localNotebooks: Record<string, LocalNotebookRun>;
  simulator?: { key: string; props: SimulatorProps };
  resultViews: { name: string; props: ResultViewProps }[];
}

export function emptyExtensions(): Extensions {
  return { localNotebooks: {}, resultViews: [] };
}

/** Adds what `c` plugs in, if anything; problems (a second simulator, a reserved view name) go to `report`. */
export function collectExtension(c: Construct, into: Extensions, report: (d: Diagnostic) => void): void {
  const at = c.location ? { location: c.location } : {};
  if (c instanceof Notebook && c.props.local) {
    into.localNotebooks[c.id] = c.props.local;
  } else if (c instanceof Simulator) {
    if (into.simulator) {
      report({
        severity: 'error',
        message: `Simulator "${c.id}": a bundle has one simulator, and "${into.simulator.key}" is already declared.`,
        path: `simulators.${c.id}`,
        ...at,
      });
      return;
    }
    into.simulator = { key: c.id, props: c.props };
  } else if (c instanceof ResultView) {
    if (RESERVED_VIEW_NAMES.includes(c.id)) {
      report({ severity: 'error', message: `Result view "${c.id}": the name is taken by \`dbx-ts show ${c.id}\`; choose another.`, path: `result_views.${c.id}`, ...at });
      return;
    }
    into.resultViews.push({ name: c.id, props: c.props });
  }
}
