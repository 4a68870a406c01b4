// Where the local workspace lives: everything under .dbx-ts/local/ of the project (git-ignored).
import { join } from 'node:path';

/** The local workspace's state (what `deploy -t local` writes and `local serve` serves), under the project root. */
export const LOCAL_WORKSPACE_DIR = join('.dbx-ts', 'local', 'workspace');

export interface LocalPaths {
  root: string;
  /** Mirrors `/Volumes/...`: `/Volumes/<catalog>/<schema>/<volume>/x` is `<volumes>/<catalog>/<schema>/<volume>/x`. */
  volumes: string;
  /** DuckDB database files, one per catalog. */
  database: string;
  /** The bundle as last deployed to the local target. */
  bundle: string;
  /** Run history, one JSON file per run. */
  runs: string;
  /** Rendered dashboards. */
  dashboards: string;
  /** Local secret values (never committed): `{ "<scope>": { "<key>": "<value>" } }`. */
  secretsFile: string;
}

export function localPaths(projectRoot: string, env: NodeJS.ProcessEnv = process.env): LocalPaths {
  const root = env['DBX_TS_LOCAL_DIR'] ?? join(projectRoot, '.dbx-ts', 'local');
  return {
    root,
    volumes: join(root, 'volumes'),
    database: join(root, 'db'),
    bundle: join(root, 'bundle'),
    runs: join(root, 'runs'),
    dashboards: join(root, 'dashboards'),
    secretsFile: join(root, 'secrets.json'),
  };
}
