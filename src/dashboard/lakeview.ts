// DashboardModel → Lakeview `.lvdash.json` (the `serialized_dashboard` document). Follows the shape of dashboards
// exported from a workspace: datasets with `queryLines`, one canvas page, widgets with versioned specs
// (line/bar v3, counter v2, table v2) and text boxes as `multilineTextboxSpec`. Pure and deterministic.
import type { DashboardModel, DatasetModel, WidgetModel } from '../model/types.ts';
import { UserError } from '../errors/index.ts';
import { datasetSql, type DatasetVars } from './dataset-sql.ts';
import { sortKeysDeep, stableJson, type Json } from './sort-keys.ts';

/** Name of the single canvas page. */
export const LAKEVIEW_PAGE_NAME = 'overview';

type JsonObject = { [key: string]: Json };

export function buildLakeviewDashboard(model: DashboardModel, vars: DatasetVars): JsonObject {
  checkReferences(model);
  const dashboard: JsonObject = {
    datasets: model.datasets.map((d) => lakeviewDataset(d, vars)),
    pages: [
      {
        name: LAKEVIEW_PAGE_NAME,
        displayName: model.settings.display_name,
        pageType: 'PAGE_TYPE_CANVAS',
        layout: model.widgets.map((w) => ({ widget: lakeviewWidget(w, model), position: { ...w.position } })),
      },
    ],
  };
  return sortKeysDeep(dashboard) as JsonObject;
}

/** The file content: sorted keys, two-space indent, final newline (what synth writes and deploy uploads). */
export function serializeLakeviewDashboard(model: DashboardModel, vars: DatasetVars): string {
  return stableJson(buildLakeviewDashboard(model, vars));
}

function lakeviewDataset(dataset: DatasetModel, vars: DatasetVars): JsonObject {
  return { name: dataset.name, displayName: dataset.display_name, queryLines: queryLines(datasetSql(dataset.query, vars)) };
}

/** Lakeview stores a query as lines that each keep their newline, so the SQL reads in diffs. */
export function queryLines(sql: string): string[] {
  return sql.split(/(?<=\n)/);
}

function lakeviewWidget(widget: WidgetModel, model: DashboardModel): JsonObject {
  const frame = { showTitle: true, title: widget.title };
  if (widget.kind === 'text' && !hasDataset(widget, model)) {
    return { name: widget.name, multilineTextboxSpec: { lines: [`## ${widget.title}`] } };
  }
  const fields = widgetFields(widget);
  const queries = [
    {
      name: 'main_query',
      query: {
        datasetName: widget.dataset,
        fields: fields.map((f) => ({ name: f, expression: quoteField(f) })),
        // Dataset queries already aggregate; widgets show their rows as they are.
        disaggregated: true,
      },
    },
  ];
  return { name: widget.name, queries, spec: { ...widgetSpec(widget, fields), frame } };
}

function widgetSpec(widget: WidgetModel, fields: string[]): JsonObject {
  switch (widget.kind) {
    case 'line':
    case 'bar': {
      const [x, y] = fields as [string, string];
      const xScale: JsonObject =
        widget.kind === 'line' ? { type: 'temporal' } : { type: 'categorical', sort: { by: 'y-reversed' } };
      return {
        version: 3,
        widgetType: widget.kind,
        encodings: {
          x: { fieldName: x, displayName: x, scale: xScale },
          y: { fieldName: y, displayName: y, scale: { type: 'quantitative' } },
        },
      };
    }
    case 'counter':
      return { version: 2, widgetType: 'counter', encodings: { value: { fieldName: fields[0] as string, displayName: widget.title } } };
    case 'table':
    case 'text':
      // A data-bound text box (the LLM summary) has no Lakeview equivalent: it is shown as a one-column table.
      return {
        version: 2,
        widgetType: 'table',
        encodings: { columns: fields.map((f) => ({ fieldName: f, displayName: f })) },
      };
  }
}

/** The dataset columns a widget reads, in display order. */
export function widgetFields(widget: WidgetModel): string[] {
  const need = (column: string | undefined, axis: string): string => {
    if (!column) throw new UserError(`Dashboard widget '${widget.name}' (${widget.kind}) needs '${axis}'`);
    return column;
  };
  switch (widget.kind) {
    case 'line':
    case 'bar':
      return [need(widget.x, 'x'), need(widget.y, 'y')];
    case 'counter':
      return [need(widget.y ?? widget.x, 'y')];
    case 'table':
      if (widget.columns && widget.columns.length > 0) return [...widget.columns];
      return [need(widget.x, 'columns or x'), ...(widget.y ? [widget.y] : [])];
    case 'text':
      return [widget.y ?? widget.x ?? widget.columns?.[0] ?? 'summary_text'];
  }
}

function hasDataset(widget: WidgetModel, model: DashboardModel): boolean {
  return widget.dataset !== '' && model.datasets.some((d) => d.name === widget.dataset);
}

function quoteField(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

function checkReferences(model: DashboardModel): void {
  const seen = new Set<string>();
  for (const widget of model.widgets) {
    if (seen.has(widget.name)) throw new UserError(`Dashboard widget name '${widget.name}' is used twice`);
    seen.add(widget.name);
    if (widget.kind !== 'text' && !hasDataset(widget, model)) {
      throw new UserError(
        `Dashboard widget '${widget.name}' refers to dataset '${widget.dataset}', which the dashboard does not define`,
        `Datasets: ${model.datasets.map((d) => d.name).join(', ') || '(none)'}.`,
      );
    }
  }
}
