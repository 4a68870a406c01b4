// What the summary notebook template embeds (as `{{py_value parameters.<name>}}`), so Databricks runs the same
// metric SQL, prompt and table layout as the local run of the summary.
import { DEFAULT_OPENAI_BASE_URL, type TemplateValue } from '../../../src/index.ts';
import { METRICS_SQL } from './metrics.ts';
import { loadSummaryPromptTemplate } from './prompt.ts';
import { DEFAULT_MAX_RETRIES, DEFAULT_SUMMARY_MODEL, DEFAULT_TIMEOUT_MS } from './summarize.ts';
import { SALES_SUMMARY_COLUMNS, SALES_SUMMARY_DDL } from './summary-table.ts';

export function summaryNotebookParameters(): Record<string, TemplateValue> {
  const prompt = loadSummaryPromptTemplate();
  return {
    metrics_sql: { ...METRICS_SQL },
    summary_prompt_template: prompt.source,
    summary_prompt_version: prompt.prompt_version,
    summary_table_ddl: SALES_SUMMARY_DDL,
    summary_table_columns: [...SALES_SUMMARY_COLUMNS],
    default_summary_model: DEFAULT_SUMMARY_MODEL,
    default_openai_base_url: DEFAULT_OPENAI_BASE_URL,
    openai_timeout_seconds: DEFAULT_TIMEOUT_MS / 1000,
    openai_max_retries: DEFAULT_MAX_RETRIES,
  };
}
