// A few Databricks SQL functions DuckDB lacks, as session macros, so pipeline SQL written for Databricks
// runs unchanged. Only functions whose meaning is the same on both sides belong here.

import type { Executor } from './executor.ts';

const MACROS = [
  // Spark's initcap: first letter of each space-separated word upper case, the rest lower case.
  `CREATE OR REPLACE TEMP MACRO initcap(s) AS
     array_to_string(list_transform(string_split(lower(s), ' '), w -> upper(left(w, 1)) || substr(w, 2)), ' ')`,
  `CREATE OR REPLACE TEMP MACRO nvl(a, b) AS coalesce(a, b)`,
  // With one argument Spark parses ISO dates; an unparseable string gives NULL.
  `CREATE OR REPLACE TEMP MACRO to_date(s) AS try_cast(s AS DATE)`,
  `CREATE OR REPLACE TEMP MACRO current_timestamp() AS now()`,
] as const;

export async function installDatabricksDialect(ex: Executor): Promise<void> {
  for (const macro of MACROS) await ex.run(macro);
}
