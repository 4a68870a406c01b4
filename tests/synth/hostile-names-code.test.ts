// Hostile names in the slots that reach notebooks, pipeline SQL and the dashboard (see hostile-names.ts).
import { hostileNamesSuite } from './hostile-names.ts';

hostileNamesSuite('notebooks, pipelines and dashboards', 'code');
