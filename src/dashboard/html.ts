// DashboardModel + query results → one self-contained HTML file that opens offline: the widgets laid out on the
// same 6-column grid as Lakeview, charts drawn by the inlined Vega runtime from specs compiled in Node. The same
// page, served live, swaps in a new grid whenever the server sends one.
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { DashboardModel, WidgetModel } from '../model/types.ts';
import { compileChart, vegaLiteSpec, type ChartSize } from './chart-spec.ts';
import { escapeHtml, jsonForScript } from './html-escape.ts';
import { widgetFields } from './lakeview.ts';
import { toPlainRows, type PlainRow, type PlainValue } from './plain-values.ts';
import { vegaRuntimeSource } from './vega-runtime.ts';
import { DASHBOARD_BOOT_SCRIPT, DASHBOARD_CSS, DASHBOARD_LIVE_SCRIPT } from './html-assets.ts';

/** The summary shown in text widgets; when absent, text widgets show their dataset's first row. */
export interface DashboardSummary {
  text: string;
  model?: string;
  generated_at?: string;
}

export interface RenderHtmlOptions {
  events?: EventSink;
  /**
   * A page served live (`dbx-ts dashboard --serve`): it may connect back to its own origin and listens on
   * `eventsPath` for new versions of the grid, which replace the old one in place.
   */
  live?: { eventsPath: string; version: string };
}

/** Grid geometry: Lakeview's 6 columns on a fixed-width page, so chart sizes are known when compiling. */
const COLUMN_WIDTH = 200;
const ROW_HEIGHT = 72;
const GAP = 12;
const CARD_CHROME = { horizontal: 24, vertical: 56 }; // padding and title of a card

/** A chart of the page: the container's id, the widget's name and its compiled Vega spec. */
export interface ChartEntry {
  id: string;
  name: string;
  spec: unknown;
}

/** The widget grid of a dashboard: the cards' HTML and the charts the boot script draws into them. */
export interface DashboardGrid {
  cards: string;
  charts: ChartEntry[];
}

/** The grid alone, as the static page embeds it and a live page receives it on each update. */
export async function renderDashboardGrid(
  model: DashboardModel,
  data: Record<string, readonly Record<string, unknown>[]>,
  summary?: DashboardSummary | string,
  options: Pick<RenderHtmlOptions, 'events'> = {},
): Promise<DashboardGrid> {
  const events = options.events ?? silentSink;
  const summaryBox = typeof summary === 'string' ? { text: summary } : summary;
  const charts: ChartEntry[] = [];
  // DOM order follows the grid (top to bottom, left to right) so the page reads in layout order.
  const ordered = model.widgets
    .map((widget, index) => ({ widget, index }))
    .sort((a, b) => a.widget.position.y - b.widget.position.y || a.widget.position.x - b.widget.position.x || a.index - b.index);

  const cards: string[] = [];
  for (const { widget, index } of ordered) {
    const id = `widget-${index}`;
    const rows = toPlainRows(data[widget.dataset] ?? []);
    const body = await widgetBody(widget, id, rows, summaryBox, charts, (message) =>
      events({ code: 'log', level: 'warn', message: `Dashboard widget '${widget.name}': ${message}`, data: { widget: widget.name } }),
    );
    cards.push(card(widget, id, body));
  }
  return { cards: cards.join('\n'), charts };
}

export async function renderDashboardHtml(
  model: DashboardModel,
  data: Record<string, readonly Record<string, unknown>[]>,
  summary?: DashboardSummary | string,
  options: RenderHtmlOptions = {},
): Promise<string> {
  const grid = await renderDashboardGrid(model, data, summary, options);
  const title = escapeHtml(model.settings.display_name);
  const live = options.live;
  // The static file fetches nothing; a live page only talks to the server that served it.
  const connect = live ? " connect-src 'self';" : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none';${connect} script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>${DASHBOARD_CSS}</style>
</head>
<body${live ? ` data-version="${escapeHtml(live.version)}"` : ''}>
<header><h1>${title}</h1></header>
<main class="grid">
${grid.cards}
</main>
<script>${vegaRuntimeSource()}</script>
<script id="dbx-charts" type="application/json">${jsonForScript(grid.charts)}</script>
<script>${DASHBOARD_BOOT_SCRIPT}</script>
${live ? `<script id="dbx-live" type="application/json">${jsonForScript({ events: live.eventsPath })}</script>
<script>${DASHBOARD_LIVE_SCRIPT}</script>
` : ''}</body>
</html>
`;
}

function card(widget: WidgetModel, id: string, body: string): string {
  const { x, y, width, height } = widget.position;
  const style = `grid-column: ${x + 1} / span ${width}; grid-row: ${y + 1} / span ${height};`;
  return `<section class="card card-${widget.kind}" id="${id}-card" data-widget="${escapeHtml(widget.name)}" data-kind="${widget.kind}" style="${style}">
<h2>${escapeHtml(widget.title)}</h2>
${body}
</section>`;
}

async function widgetBody(
  widget: WidgetModel,
  id: string,
  rows: PlainRow[],
  summary: DashboardSummary | undefined,
  charts: ChartEntry[],
  warn: (message: string) => void,
): Promise<string> {
  switch (widget.kind) {
    case 'line':
    case 'bar': {
      if (rows.length === 0) return '<p class="empty">No data</p>';
      const [x, y] = widgetFields(widget) as [string, string];
      const spec = await compileChart(vegaLiteSpec(widget, x, y, rows, chartSize(widget)), warn);
      charts.push({ id, name: widget.name, spec });
      return `<div class="chart" id="${id}"></div>`;
    }
    case 'counter': {
      const [column] = widgetFields(widget) as [string];
      const value = rows[0]?.[column] ?? null;
      return `<p class="counter" id="${id}">${escapeHtml(formatCell(value))}</p>`;
    }
    case 'table':
      return table(id, widgetFields(widget), rows);
    case 'text':
      return textBox(id, widget, rows, summary);
  }
}

function chartSize(widget: WidgetModel): ChartSize {
  const { width, height } = widget.position;
  return {
    width: width * COLUMN_WIDTH + (width - 1) * GAP - CARD_CHROME.horizontal,
    height: height * ROW_HEIGHT + (height - 1) * GAP - CARD_CHROME.vertical,
  };
}

function table(id: string, columns: string[], rows: PlainRow[]): string {
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = columns.map((c) => {
        const value = row[c] ?? null;
        return `<td${typeof value === 'number' ? ' class="num"' : ''}>${escapeHtml(formatCell(value))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table id="${id}"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>`;
}

function textBox(id: string, widget: WidgetModel, rows: PlainRow[], summary: DashboardSummary | undefined): string {
  const [column] = widgetFields(widget) as [string];
  const first = rows[0];
  // A blank summary passed in does not hide the one stored in the dataset.
  const given = summary && summary.text.trim() !== '' ? summary : undefined;
  const text = given?.text ?? (first ? formatCell(first[column] ?? null) : '');
  const model = given?.model || (first && typeof first.model === 'string' ? first.model : undefined);
  const at = given?.generated_at || (first && typeof first.generated_at === 'string' ? first.generated_at : undefined);
  if (text.trim() === '') return `<p class="empty" id="${id}">No summary yet</p>`;
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const caption = [model, at].filter(Boolean).map((s) => escapeHtml(String(s))).join(' · ');
  return `<div class="summary" id="${id}">
${paragraphs}
${caption ? `<p class="caption">${caption}</p>` : ''}
</div>`;
}

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function formatCell(value: PlainValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return NUMBER.format(value);
  return String(value);
}
