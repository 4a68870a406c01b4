// The sales lakehouse's result views: the newest rows of gold.sales_enriched and the newest summary, shown after
// a successful run and by `dbx-ts show gold` / `dbx-ts show summary`, locally and on a workspace.
import type { ResultViewContext } from '../../src/index.ts';

export async function showGold(ctx: ResultViewContext): Promise<void> {
  const table = `${ctx.catalog}.${ctx.schema('gold')}.sales_enriched`;
  const limit = ctx.limit ?? (ctx.trigger === 'run' ? 5 : 10);
  await ctx.preview(
    `SELECT transaction_id, transaction_ts, product_name, category, store_name, quantity, total_revenue, source FROM ${table} ORDER BY transaction_ts DESC, transaction_id LIMIT ${limit}`,
    `First rows of ${table}:`,
    table,
  );
}

export async function showSummary(ctx: ResultViewContext): Promise<void> {
  for await (const row of ctx.sql.query(`SELECT summary_text, model, generated_at FROM ${ctx.catalog}.${ctx.schema('gold')}.sales_summary ORDER BY generated_at DESC LIMIT 1`)) {
    ctx.sink({
      code: 'summary.text',
      level: 'result',
      message: `Latest summary (${String(row['generated_at'])}):`,
      data: { model: String(row['model']), text: String(row['summary_text']) },
    });
    return;
  }
  ctx.sink({ code: 'log', level: 'warn', message: 'No summary yet: run the job first.', data: {} });
}
