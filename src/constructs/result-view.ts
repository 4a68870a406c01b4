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

export class ResultView extends Construct {
  readonly props: ResultViewProps;

  constructor(scope: Construct, id: string, props: ResultViewProps) {
    super(scope, id);
    this.props = props;
  }
}
