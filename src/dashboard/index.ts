// Public API of the dashboard: the Lakeview file for Databricks and the offline HTML for the local target.
export { buildLakeviewDashboard, serializeLakeviewDashboard, queryLines, widgetFields, LAKEVIEW_PAGE_NAME } from './lakeview.ts';
export { renderDashboardHtml } from './html.ts';
export type { DashboardSummary, RenderHtmlOptions } from './html.ts';
export { datasetSql } from './dataset-sql.ts';
export { queryDashboardData } from './query-data.ts';
export type { DatasetVars } from './dataset-sql.ts';
export { escapeHtml, jsonForScript } from './html-escape.ts';
export { toPlainRows, toPlainValue } from './plain-values.ts';
export type { PlainRow, PlainValue } from './plain-values.ts';
