// A named view of what a bundle's pipeline produced, e.g. the top of a gold table: shown after a successful
// run and by `dbx-ts show <name>`, on the local target and on workspaces alike.
import type { ResultViewContext } from '../extensions/types.ts';
import { Construct } from './construct.ts';

export interface ResultViewProps {
  /** One line for `dbx-ts show` to list it by. */
  description: string;
  /** Show it after every successful `dbx-ts run` (default true). */
  after_run?: boolean;
  /** Reads with `ctx.sql` (the target's SQL) and shows through `ctx.preview` or `ctx.sink`. */
  show(ctx: ResultViewContext): Promise<void>;
}

/** Views are named in their own space (under this child of the bundle), so a view `gold` may sit beside a schema `gold`. */
const VIEWS_ID = 'result_views';

function viewsOf(scope: Construct): Construct {
  let root = scope;
  while (root.scope) root = root.scope;
  return root.children.find((c) => c.id === VIEWS_ID && !(c instanceof ResultView)) ?? new Construct(root, VIEWS_ID);
}

export class ResultView extends Construct {
  readonly props: ResultViewProps;

  constructor(scope: Construct, id: string, props: ResultViewProps) {
    super(viewsOf(scope), id);
    this.props = props;
  }
}
