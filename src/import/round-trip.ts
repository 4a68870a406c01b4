// Does an imported definition reproduce its YAML? For each target: resolve the original YAML as the Databricks
// CLI would (resolve.ts), build the definition with dbx-ts (resolve, validate, synth into a scratch folder),
// resolve that build the same way, and compare the two configurations field by field.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '../constructs/bundle.ts';
import { resolve } from '../model/resolve.ts';
import { synthBundle } from '../synth/index.ts';
import { writeBundleFiles } from '../synth/write.ts';
import { validateResolved } from '../validate/index.ts';
import { compareConfigs, type Difference } from './compare.ts';
import { loadBundle } from './load.ts';
import { resolveConfig } from './resolve.ts';

export interface TargetComparison {
  target: string;
  differences: Difference[];
  /** dbx-ts' own validation errors: the definition does not build. */
  errors: string[];
}

/** The YAML bundle's resolved configuration for each target. */
export function originalConfigs(bundleDir: string, targets: string[]): Map<string, Record<string, unknown>> {
  const loaded = loadBundle(bundleDir);
  return new Map(targets.map((t) => [t, resolveConfig(loaded.merged, t).config]));
}

/** Builds `bundle` for `target` into a scratch folder and resolves that build as the CLI would. */
export async function builtConfig(bundle: Bundle, target: string, projectRoot: string): Promise<{ config?: Record<string, unknown>; errors: string[] }> {
  const resolved = resolve(bundle, target);
  const errors = validateResolved(resolved, { repoRoot: projectRoot })
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`);
  const dir = await mkdtemp(join(tmpdir(), 'dbx-ts-roundtrip-'));
  try {
    await writeBundleFiles(dir, synthBundle(resolved.model, { repoRoot: projectRoot }));
    return { config: resolveConfig(loadBundle(dir).merged, target).config, errors };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function compareTargets(bundleDir: string, bundle: Bundle, projectRoot: string, targets: string[]): Promise<TargetComparison[]> {
  const originals = originalConfigs(bundleDir, targets);
  const out: TargetComparison[] = [];
  for (const target of targets) {
    const built = await builtConfig(bundle, target, projectRoot);
    const differences = built.config ? compareConfigs(normalised(originals.get(target)!), normalised(built.config)) : [];
    out.push({ target, differences, errors: built.errors });
  }
  return out;
}

/**
 * What the comparison leaves out, by design: the file layout (`include`), and the workspace paths the CLI derives
 * from the bundle's folder name and the user (both sides derive them the same way).
 */
function normalised(config: Record<string, unknown>): Record<string, unknown> {
  const { include: _include, ...rest } = config;
  return rest;
}
