// What a bundle file pays for `import ... from 'dbx-ts'`: every command loads the bundle, so the package entry
// must not load the native DuckDB module (about half a second) unless the local engine is actually used.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const run = promisify(execFile);

describe('the package entry', () => {
  it('loads without DuckDB, which only local runs and tests of tables need', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const entry = await import(${JSON.stringify(ENTRY)});
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@duckdb'));
      console.log(JSON.stringify({ loaded, exports: typeof entry.runTablesLocally }));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(JSON.parse(stdout)).toEqual({ loaded: [], exports: 'function' });
  });
});
