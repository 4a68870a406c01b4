// The LLM summary of the sales lakehouse: gold metrics → prompt → summary row → gold.sales_summary.
export { METRICS_SQL, TOP_N, TREND_DAYS, computeSalesMetrics, metricsFromRows, renderMetricsSql } from './metrics.ts';
export type { SalesMetrics, CategoryRevenue, StoreRevenue, ProductRevenue, DailyRevenue, DayOverDay } from './metrics.ts';
export {
  SUMMARY_PROMPT_TEMPLATE_URL,
  loadSummaryPromptTemplate,
  renderSummaryPrompt,
  summaryPromptVariables,
} from './prompt.ts';
export { OFFLINE_MODEL, offlineSummaryText } from './offline-summary.ts';
export {
  DEFAULT_MAX_RETRIES,
  DEFAULT_SUMMARY_MODEL,
  DEFAULT_TIMEOUT_MS,
  resolveLlmConfig,
  summarize,
} from './summarize.ts';
export type { SummarizeOptions, SummaryRow } from './summarize.ts';
export { SALES_SUMMARY_COLUMNS, SALES_SUMMARY_DDL, summaryInsertSql, writeSummaryRow } from './summary-table.ts';
export { summaryNotebookParameters } from './notebook-parameters.ts';
