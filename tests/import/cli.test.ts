// `dbx-ts import` on the command line: writes the definition, says what it could not express, and checks the
// definition against the YAML target by target; user mistakes exit 2 with the file and line.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../build/helpers.ts';
import { FIXTURES } from './helpers.ts';

describe('dbx-ts import', () => {
  it('imports a bundle, reports what the YAML says that dbx-ts keeps differently, and compares every target', async () => {
    const out = await tempDir('import-cli');
    const result = await runCli(['import', join(FIXTURES, 'legacy', 'bundle'), '--out', out]);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: defaults: unknown field: defaults');
    expect(result.stdout + result.stderr).toContain('resources.dashboards.inline kept verbatim (app.verbatim)');
    expect(result.stdout).toMatch(/Imported bundle "legacy" into .*: app\.ts, resources\/jobs\.ts, _parent\/common\/shared\.ts, databricks\.ts, bundle\.ts, package\.json, tsconfig\.json/);
    for (const target of ['dev', 'test', 'prod']) expect(result.stdout).toContain(`Target ${target}: the definition builds the same configuration as the YAML.`);
  });

  it('exits 2 naming the file and line of a broken include', async () => {
    const dir = await tempDir('import-cli-bad');
    await writeFile(join(dir, 'databricks.yml'), 'bundle:\n  name: x\ninclude:\n  - missing.yml\n');
    const result = await runCli(['import', dir, '--out', join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("databricks.yml:4: missing.yml defined in 'include' section does not match any files");
  });
});
