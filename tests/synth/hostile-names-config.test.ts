// Hostile names in the slots of the bundle, its jobs and the YAML (see hostile-names.ts).
import { hostileNamesSuite } from './hostile-names.ts';

hostileNamesSuite('bundle, jobs and configuration', 'config');
