// Runs a dashboard's dataset queries (the local target renders them into the offline HTML).
import type { DashboardModel } from '../model/types.ts';
import { queryAll, type SqlQueryRunner } from '../sql/query-all.ts';
import type { SqlRow } from '../sql/types.ts';
import { datasetSql, type DatasetVars } from './dataset-sql.ts';

/** Rows per dataset name, queried one dataset at a time in model order. */
export async function queryDashboardData(
  sql: SqlQueryRunner,
  model: DashboardModel,
  vars: DatasetVars,
): Promise<Record<string, SqlRow[]>> {
  const data: Record<string, SqlRow[]> = {};
  for (const dataset of model.datasets) data[dataset.name] = await queryAll(sql, datasetSql(dataset.query, vars));
  return data;
}
