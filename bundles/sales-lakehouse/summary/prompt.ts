// Renders summary-prompt.hbs (next to this file) from gold metrics. The template declares its own prompt_version, so the
// version recorded with each summary always matches the text that was sent.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { SalesMetrics } from './metrics.ts';
import { formatChange, formatCount, formatMoney, formatPercent } from './format.ts';

/** Repo path of the prompt template (the notebook generator embeds the same file). */
export const SUMMARY_PROMPT_TEMPLATE_URL = new URL('./summary-prompt.hbs', import.meta.url);

export interface SummaryPromptTemplate {
  source: string;
  prompt_version: string;
}

let cached: (SummaryPromptTemplate & { render: Handlebars.TemplateDelegate }) | undefined;

/** Reads the template and its `prompt_version: <id>` declaration. */
export function parseSummaryPromptTemplate(source: string): SummaryPromptTemplate {
  const version = /prompt_version:\s*([A-Za-z0-9._-]+)/.exec(source)?.[1];
  if (!version) throw new Error('summary-prompt.hbs does not declare a prompt_version');
  return { source, prompt_version: version };
}

export function loadSummaryPromptTemplate(): SummaryPromptTemplate {
  return compiledTemplate();
}

function compiledTemplate(): SummaryPromptTemplate & { render: Handlebars.TemplateDelegate } {
  if (!cached) {
    const parsed = parseSummaryPromptTemplate(readFileSync(SUMMARY_PROMPT_TEMPLATE_URL, 'utf8'));
    // A prompt is not HTML: no entity escaping. strict: a missing placeholder value is a bug, not an empty string.
    const render = Handlebars.compile(parsed.source, { noEscape: true, strict: true });
    cached = { ...parsed, render };
  }
  return cached;
}

/** The template's placeholder values: every one a plain string, lists as pre-formatted `- ` lines. */
export function summaryPromptVariables(metrics: SalesMetrics): Record<string, string> {
  const none = '- (none)';
  const lines = (items: string[]): string => (items.length > 0 ? items.join('\n') : none);
  const dod = metrics.day_over_day;
  return {
    period_start: metrics.period_start ?? 'n/a',
    period_end: metrics.period_end ?? 'n/a',
    total_revenue: formatMoney(metrics.total_revenue),
    transactions: formatCount(metrics.transactions),
    units: formatCount(metrics.units),
    average_order_value: formatMoney(metrics.average_order_value),
    category_lines: lines(
      metrics.revenue_by_category.map(
        (c) => `- ${c.category}: ${formatMoney(c.revenue)} (${formatPercent(c.share_pct)} of revenue, ${formatCount(c.units)} units)`,
      ),
    ),
    store_lines: lines(
      metrics.top_stores.map(
        (s) => `- ${s.store_name} (${[s.city, s.region].filter(Boolean).join(', ')}): ${formatMoney(s.revenue)}, ${formatCount(s.transactions)} transactions`,
      ),
    ),
    product_lines: lines(
      metrics.top_products.map(
        (p) => `- ${p.product_name} (${p.category}): ${formatMoney(p.revenue)}, ${formatCount(p.units)} units`,
      ),
    ),
    trend_lines: lines(
      metrics.daily_revenue.map((d) => `- ${d.date}: ${formatMoney(d.revenue)} (${formatCount(d.transactions)} transactions)`),
    ),
    day_over_day: !dod
      ? 'not enough days of sales to compare'
      : dod.change_pct === null
        ? `${dod.date}: ${formatMoney(dod.revenue)} against no revenue on ${dod.previous_date}`
        : `${dod.date}: ${formatMoney(dod.revenue)}, ${formatChange(dod.change_pct)} on ${dod.previous_date} (${formatMoney(dod.previous_revenue)})`,
  };
}

export interface RenderedPrompt {
  text: string;
  prompt_version: string;
}

export function renderSummaryPrompt(metrics: SalesMetrics): RenderedPrompt {
  const template = compiledTemplate();
  return { text: template.render(summaryPromptVariables(metrics)).trim() + '\n', prompt_version: template.prompt_version };
}
