// The reference bundle (bundles/sales-lakehouse) must validate with zero errors and warnings on every target,
// against its own notebook sources (relative to its bundle file).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import app from '../../bundles/sales-lakehouse/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { validateProject } from '../../src/validate/index.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARGETS = ['local', 'dev', 'prod'] as const;

describe('reference bundle', () => {
  it.each(TARGETS)('has no errors and no warnings on target %s, its SQL bound by DuckDB included', async (target) => {
    expect(await validateProject(resolve(app, target), { repoRoot: REPO_ROOT })).toEqual([]);
  });
});
