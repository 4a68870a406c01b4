// Whether the local workspace already holds this bundle as deployed: a run on the local target deploys first, and
// a deploy of an unchanged bundle changes nothing but costs a plan. After a successful deploy the run records a hash
// of what it deployed (the resolved model, the generated files, the dbx-ts version) and of the workspace's state as
// the run left it (its runs included); the next run skips the deploy only when both match,
// so a changed bundle, or a workspace changed by anything else (`dbx-ts local serve`, a deleted state folder),
// is deployed again.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { canonicalJson, sha256 } from '../deploy/hash.ts';
import type { BundleModel } from '../model/types.ts';
import { packageVersion } from '../package-root.ts';
import type { SynthFile } from '../synth/index.ts';

export interface DeployRecord {
  bundle: string;
  workspace: string;
}

const RECORD_FILE = 'last-local-deploy.json';

/** What a deploy of this bundle sends: the model and every generated file, by content. */
export function bundleFingerprint(model: BundleModel, files: readonly SynthFile[]): string {
  const contents = files.map((f) => [f.path, sha256(f.content)]).sort(([a], [b]) => (a! < b! ? -1 : 1));
  return sha256(canonicalJson({ version: packageVersion(), model: withoutSourceLocations(model), files: contents }));
}

const isSourceLocation = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { file?: unknown }).file === 'string' && typeof (v as { line?: unknown }).line === 'number';

/** Where in the user's files things were defined (absolute paths, for messages) is not part of what is deployed. */
function withoutSourceLocations(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutSourceLocations(v, false));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if ((top && key === 'locations') || (key === 'location' && isSourceLocation(v))) continue;
    out[key] = withoutSourceLocations(v, false);
  }
  return out;
}

/** Every file of the workspace state folder, by path and content (an absent folder has its own fingerprint). */
export async function workspaceFingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256');
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return 'absent';
  }
  for (const file of names.sort()) hash.update(`${relative(dir, file)}\0${sha256(await readFile(file))}\0`);
  return hash.digest('hex');
}

export async function readDeployRecord(localRoot: string): Promise<DeployRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(localRoot, RECORD_FILE), 'utf8')) as Partial<DeployRecord>;
    return typeof parsed.bundle === 'string' && typeof parsed.workspace === 'string' ? { bundle: parsed.bundle, workspace: parsed.workspace } : undefined;
  } catch {
    return undefined;
  }
}

export async function writeDeployRecord(localRoot: string, record: DeployRecord): Promise<void> {
  await writeFile(join(localRoot, RECORD_FILE), `${JSON.stringify(record)}\n`);
}
