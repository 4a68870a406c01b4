// The summary notebook on the local target: the same metrics and prompt, through OpenAI when a key is set
// (OPENAI_API_KEY or the notebook's secret), else the offline template; the row goes to gold.sales_summary.
import type { LocalNotebookContext } from '../../../src/index.ts';
import { computeSalesMetrics } from './metrics.ts';
import { summarize } from './summarize.ts';
import { writeSummaryRow } from './summary-table.ts';

export async function runSummaryLocally(ctx: LocalNotebookContext): Promise<string> {
  // The summary reads gold only: when gold is as it was at the last summary, that summary stands.
  if (await ctx.inputsUnchanged(['gold'])) return 'skipped: gold unchanged';
  const sql = await ctx.openSql();
  try {
    const metrics = await computeSalesMetrics(sql, ctx.catalog);
    const apiKey = ctx.secret('openai_api_key');
    const model = ctx.widgets['openai_model'];
    const row = await summarize(metrics, {
      ...(apiKey ? { apiKey } : {}),
      ...(model && !model.startsWith('${') ? { model } : {}),
      env: ctx.env,
      // As the notebook on Databricks: an API error or no egress writes the offline summary with a warning, unless `fail`.
      fallbackToOffline: (ctx.widgets['on_llm_failure'] ?? 'offline').trim().toLowerCase() !== 'fail',
      // The run shows the newest summary with the results; the text need not show twice.
      events: (e) => (e.code === 'summary.text' ? undefined : ctx.sink(e)),
    });
    await writeSummaryRow(sql, ctx.catalog, row);
    return `summary by ${row.model}`;
  } finally {
    await sql.close();
  }
}
