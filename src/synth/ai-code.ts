// Texts the summary notebook embeds from src/ai, so Databricks runs the same SQL and prompt as the local engine.
import { METRICS_SQL, TOP_N, TREND_DAYS } from '../ai/metrics.ts';
import { loadSummaryPromptTemplate } from '../ai/prompt.ts';
import { OFFLINE_MODEL } from '../ai/offline-summary.ts';
import { DEFAULT_MAX_RETRIES, DEFAULT_SUMMARY_MODEL, DEFAULT_TIMEOUT_MS } from '../ai/summarize.ts';
import { SALES_SUMMARY_COLUMNS, SALES_SUMMARY_DDL } from '../ai/summary-table.ts';
import { DEFAULT_OPENAI_BASE_URL } from '../ai/llm-endpoint.ts';
import type { PyLiteralValue } from './escape.ts';

/** Values a template may embed with `{{py_export "<name>"}}`, each written as a Python literal. */
export function aiExports(): Record<string, PyLiteralValue> {
  const prompt = loadSummaryPromptTemplate();
  return {
    metrics_sql: { ...METRICS_SQL },
    top_n: TOP_N,
    trend_days: TREND_DAYS,
    summary_prompt_template: prompt.source,
    summary_prompt_version: prompt.prompt_version,
    summary_table_ddl: SALES_SUMMARY_DDL,
    summary_table_columns: [...SALES_SUMMARY_COLUMNS],
    default_summary_model: DEFAULT_SUMMARY_MODEL,
    default_openai_base_url: DEFAULT_OPENAI_BASE_URL,
    openai_timeout_seconds: DEFAULT_TIMEOUT_MS / 1000,
    openai_max_retries: DEFAULT_MAX_RETRIES,
    offline_model: OFFLINE_MODEL,
  };
}
