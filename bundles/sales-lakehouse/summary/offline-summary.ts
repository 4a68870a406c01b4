// The summary written without an LLM: deterministic sentences from the same metrics the prompt is built from,
// so the demo works with no API key and CI can assert the exact text.
import type { SalesMetrics } from './metrics.ts';
import { formatChange, formatCount, formatMoney, formatPercent } from './format.ts';

/** Model name recorded for summaries written by this template. */
export const OFFLINE_MODEL = 'offline-template';

export function offlineSummaryText(metrics: SalesMetrics): string {
  if (metrics.transactions === 0) {
    return 'No sales are recorded in the gold sales table yet, so there is nothing to summarise.';
  }
  const sentences: string[] = [];
  const period =
    metrics.period_start && metrics.period_end
      ? `from ${day(metrics.period_start)} to ${day(metrics.period_end)}`
      : 'in the period';
  sentences.push(
    `Sales ${period} totalled ${formatMoney(metrics.total_revenue)} across ${formatCount(metrics.transactions)} ` +
      `transactions (${formatCount(metrics.units)} units, average order value ${formatMoney(metrics.average_order_value)}).`,
  );

  const [first, second] = metrics.revenue_by_category;
  if (first) {
    const runnerUp = second ? `, followed by ${second.category} at ${formatMoney(second.revenue)}` : '';
    sentences.push(
      `${first.category} led the categories with ${formatMoney(first.revenue)} (${formatPercent(first.share_pct)} of revenue)${runnerUp}.`,
    );
  }

  const store = metrics.top_stores[0];
  const product = metrics.top_products[0];
  if (store && product) {
    sentences.push(
      `The top store was ${store.store_name}${store.city ? ` in ${store.city}` : ''} with ${formatMoney(store.revenue)}, ` +
        `and the best-selling product was ${product.product_name} with ${formatMoney(product.revenue)} from ${formatCount(product.units)} units.`,
    );
  }

  const dod = metrics.day_over_day;
  if (dod) {
    sentences.push(
      dod.change_pct === null
        ? `Revenue on ${dod.date} was ${formatMoney(dod.revenue)}, after no revenue on ${dod.previous_date}.`
        : `Revenue on ${dod.date} was ${formatMoney(dod.revenue)}, ${formatChange(dod.change_pct)} on ${dod.previous_date} (${formatMoney(dod.previous_revenue)}).`,
    );
  }
  return sentences.join(' ');
}

/** The date part of a `YYYY-MM-DD HH:MM:SS` timestamp. */
function day(timestamp: string): string {
  return timestamp.slice(0, 10);
}
