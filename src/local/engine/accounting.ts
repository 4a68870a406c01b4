// Nothing vanishes: for every table and update, rows read = rows written (new + updated) + rows quarantined
// + duplicates removed + rows filtered. Each term is counted on its own, and the update fails if they disagree.

import { RunFailedError } from '../../errors/index.ts';
import type { ExpectationMetric } from '../../events/types.ts';
import type { TableModel } from '../../model/types.ts';
import type { BadFile } from './autoloader.ts';

export interface TableCounts {
  rows_read: number;
  rows_inserted: number;
  rows_updated: number;
  /** Rows rejected by a drop rule or a failed cast (written to the quarantine table when the table has one). */
  rows_quarantined: number;
  /** Exact or superseded copies of a key (dedupe), and stale rows older than the stored one. */
  duplicates_removed: number;
  /** Rows the table's `where` filter leaves out. */
  rows_filtered: number;
}

export interface TableUpdateResult extends TableCounts {
  /** `catalog.schema.table`. */
  table: string;
  kind: TableModel['kind'];
  /** Commit version written (0 for views and for updates with nothing to write). */
  version: number;
  expectations: ExpectationMetric[];
  /** Landing files: taken, unreadable, tried again after a change, and left for later as still being written. */
  files?: { taken: number; bad: { path: string; error: string }[]; retried?: number; deferred?: number };
  duration_ms: number;
  /** Stored rows of a materialized view removed to be replaced by recomputed ones (an incremental refresh). */
  rows_removed?: number;
  /** How the table was maintained: NO_OP when skipped (nothing it reads changed), else the technique, and why. */
  refresh?: { technique: string; reason: string };
}

export function emptyCounts(): TableCounts {
  return { rows_read: 0, rows_inserted: 0, rows_updated: 0, rows_quarantined: 0, duplicates_removed: 0, rows_filtered: 0 };
}

export function badFilesReport(bad: readonly BadFile[]): { path: string; error: string }[] {
  return bad.map((b) => ({ path: b.file.volumePath, error: b.error }));
}

/** Throws when the counts do not add up; `expectedRows`, when known, is a second, independent count of the input. */
export function checkIdentity(table: string, counts: TableCounts, expectedRows: number | null): void {
  const accounted = counts.rows_inserted + counts.rows_updated + counts.rows_quarantined + counts.duplicates_removed + counts.rows_filtered;
  const problems: string[] = [];
  if (accounted !== counts.rows_read) {
    problems.push(
      `read ${counts.rows_read} but accounted for ${accounted} (inserted ${counts.rows_inserted}, updated ${counts.rows_updated}, ` +
        `quarantined ${counts.rows_quarantined}, duplicates ${counts.duplicates_removed}, filtered ${counts.rows_filtered})`,
    );
  }
  if (expectedRows !== null && expectedRows !== counts.rows_read) {
    problems.push(`the source holds ${expectedRows} rows but ${counts.rows_read} were read`);
  }
  if (problems.length > 0) {
    throw new RunFailedError(`Row accounting failed for ${table}: ${problems.join('; ')}.`, 'failed', table);
  }
}
