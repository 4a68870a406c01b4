// The reference bundle (bundles/sales-lakehouse) must validate with zero errors on every target.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import app from '../../bundles/sales-lakehouse/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { validateResolved } from '../../src/validate/index.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARGETS = ['local', 'dev', 'prod'] as const;
const stubRoots: string[] = [];

/** A repository root whose notebooks-src/ has an (empty) file for every notebook source the model names. */
function stubRepo(sources: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'dbx-ts-validate-'));
  stubRoots.push(root);
  for (const source of sources) {
    const file = join(root, 'notebooks-src', source);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
  }
  return root;
}

afterAll(() => {
  for (const root of stubRoots) rmSync(root, { recursive: true, force: true });
});

describe('reference bundle', () => {
  it.each(TARGETS)('has no errors and no warnings on target %s', (target) => {
    const resolved = resolve(app, target);
    const repoRoot = stubRepo(Object.values(resolved.model.notebooks).map((nb) => nb.source));
    expect(validateResolved(resolved, { repoRoot })).toEqual([]);
  });

  // the notebook sources are written separately; once all are in the repository the real tree must pass too
  const sources = Object.values(resolve(app, 'dev').model.notebooks).map((nb) => nb.source);
  const allPresent = sources.every((s) => existsSync(join(REPO_ROOT, 'notebooks-src', s)));
  it.runIf(allPresent).each(TARGETS)('has no errors against the repository notebook sources on target %s', (target) => {
    const diagnostics = validateResolved(resolve(app, target), { repoRoot: REPO_ROOT });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
