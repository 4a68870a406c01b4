// `dbx-ts dashboard` mistakes: each ends with a message naming what to do, exit 2, no stack trace.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, scratchProject } from '../build/helpers.ts';

describe('dbx-ts dashboard: bad input', () => {
  let project: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    project = await scratchProject();
    env = { DBX_TS_LOCAL_DIR: join(project, '.dbx-ts', 'local') };
  });
  const dashboard = (...args: string[]) => runCli(['dashboard', ...args], { cwd: project, env });

  it.each([
    [['nope'], 'No dashboard "nope" in bundle "sales_lakehouse".', 'Dashboards: sales_dashboard.'],
    [['--serve', '--port', 'http'], '--port must be a port number (0 for a free one), got "http".', ''],
    [['--serve', '--port', '70000'], '--port must be a port number (0 for a free one), got "70000".', ''],
    [['--port', '8080'], '--port is for --serve.', ''],
    [[], 'No local data yet for catalog sales_lakehouse.', 'Run the job first'],
    [['-t', 'dev'], 'dbx-ts dashboard renders the local target\'s dashboards; "dev" is a workspace target.', 'dbx-ts open sales_dashboard -t dev'],
  ])('dashboard %j', async (args, message, hint) => {
    const result = await dashboard(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(hint);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
