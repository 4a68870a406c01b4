// A bundle's data simulator: what `dbx-ts simulate` runs, and what a first local run runs when the landing
// zone is empty. One per bundle; its options become `simulate`'s command-line flags.
import type { SimulatorContext, SimulatorOption, SimulatorOptionValue } from '../extensions/types.ts';
import { Construct } from './construct.ts';

export interface SimulatorProps {
  /** One line for `dbx-ts simulate` to say what it writes. */
  description: string;
  /** Volume path the files go to, e.g. `/Volumes/${catalog}/landing/raw` (`${catalog}` and `${var.<name>}` are filled in). */
  landing: string;
  /** Command-line options, by flag name (`rows` is `--rows`, `dirty-rate` is `--dirty-rate`). */
  options?: Record<string, SimulatorOption>;
  /** Option values for the data a first local run simulates when the landing zone is empty (else the defaults). */
  first_run?: Record<string, SimulatorOptionValue>;
  /**
   * Files (relative to the landing volume, e.g. a manifest under `_simulator/`) the simulator reads to continue
   * where its last run stopped. On a workspace target they are downloaded into the scratch folder before it runs
   * and uploaded after, so a second `simulate` writes new file names there too (Auto Loader takes a name once).
   */
  state?: string[];
  /** Writes the files; the text returned is shown when it is done. */
  run(ctx: SimulatorContext): Promise<string | void>;
}

export class Simulator extends Construct {
  readonly props: SimulatorProps;

  constructor(scope: Construct, id: string, props: SimulatorProps) {
    super(scope, id);
    this.props = props;
  }
}
