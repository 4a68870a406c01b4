import type { DashboardModel, DatasetModel, WidgetModel } from '../model/types.ts';
import type { ResourcesDashboard } from '../schema/bundle-types.ts';
import { Construct } from './construct.ts';

export type DashboardProps = Omit<ResourcesDashboard, 'file_path' | 'serialized_dashboard' | 'display_name'> & {
  display_name: string;
  datasets: DatasetModel[];
  widgets: WidgetModel[];
};

/** A Lakeview dashboard: datasets as SQL and widgets; synth writes the `.lvdash.json`, locally an HTML file. */
export class Dashboard extends Construct {
  readonly props: DashboardProps;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    this.props = props;
  }

  get idRef(): string {
    return `\${resources.dashboards.${this.id}.id}`;
  }

  get filePath(): string {
    return `src/dashboards/${this.id}.lvdash.json`;
  }

  toModel(): DashboardModel {
    const { datasets, widgets, ...settings } = this.props;
    return {
      settings: structuredClone(settings) as DashboardModel['settings'],
      datasets: structuredClone(datasets),
      widgets: structuredClone(widgets),
      file_path: this.filePath,
    };
  }
}
