import type { LocalNotebookRun } from '../extensions/types.ts';
import type { NotebookModel, SecretRef, TableModel, TemplateValue } from '../model/types.ts';
import { Construct } from './construct.ts';
import { SecretHandle } from './refs.ts';
import { tableDefinition, type TableDefinition } from './table.ts';

export interface NotebookProps {
  /**
   * Source file (`.py`/`.sql`, or a `.hbs` template), relative to the directory of the bundle file, e.g.
   * `notebooks/ingest.py.hbs`; it must lie inside the project.
   */
  source: string;
  language?: 'PYTHON' | 'SQL';
  /** Values rendered into the source template (escaped for the notebook's language): text, numbers, lists, maps. */
  parameters?: Record<string, TemplateValue>;
  /** Widgets the notebook reads at run time, with their defaults (the job passes base_parameters). */
  widgets?: Record<string, string>;
  /** Secrets the notebook reads with dbutils.secrets.get, by the name the template uses. */
  secrets?: Record<string, SecretHandle>;
  /** Tables this notebook builds, in order. */
  tables?: TableDefinition[];
  /**
   * What runs in place of this notebook on the local target, for notebooks that do more than build their
   * `tables` (call an API, write a report). Without it, the local target builds the notebook's tables.
   * Import heavy modules inside the function, so commands that never run it stay fast.
   */
  local?: LocalNotebookRun;
}

export class Notebook extends Construct {
  readonly props: NotebookProps;
  private readonly tableModels: TableModel[];

  constructor(scope: Construct, id: string, props: NotebookProps) {
    super(scope, id);
    this.props = props;
    this.tableModels = (props.tables ?? []).map((t) => tableDefinition(t, this.location));
  }

  /** Bundle-relative path of the generated notebook. */
  get path(): string {
    const ext = (this.props.language ?? 'PYTHON') === 'SQL' ? 'sql' : 'py';
    return `src/notebooks/${this.id}.${ext}`;
  }

  /** Adds a table this notebook builds; the location recorded is the caller's line. */
  table(definition: TableDefinition): this {
    this.tableModels.push(tableDefinition(definition));
    return this;
  }

  toModel(): NotebookModel {
    const secrets: Record<string, SecretRef> = {};
    for (const [name, handle] of Object.entries(this.props.secrets ?? {})) {
      secrets[name] = { scope: handle.scopeName, key: handle.key };
    }
    return {
      source: this.props.source,
      path: this.path,
      language: this.props.language ?? 'PYTHON',
      parameters: structuredClone(this.props.parameters ?? {}),
      widgets: { ...(this.props.widgets ?? {}) },
      secrets,
      tables: this.tableModels.map((t) => structuredClone(t)),
    };
  }
}
