// A new sales file for a landing folder, made from one already there with every transaction id changed, so it
// adds sales rather than re-delivering them (silver dedupes by transaction id). Written under a name Auto Loader
// skips (`_...`) and renamed into place, so it lands whole at one moment.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Writes `<dir>/<name>` from `<dir>/<template>` with ids suffixed by `tag`; returns the time it landed (ms). */
export async function landFreshSalesFile(dir: string, template: string, name: string, tag: string): Promise<number> {
  const pending = join(dir, `_pending-${name}`);
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      await connection.run(
        `COPY (SELECT * REPLACE (transaction_id || ${quote(`-${tag}`)} AS transaction_id) FROM read_parquet(${quote(join(dir, template))}))
         TO ${quote(pending)} (FORMAT parquet)`,
      );
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  const landed = Date.now();
  await rename(pending, join(dir, name));
  return landed;
}
