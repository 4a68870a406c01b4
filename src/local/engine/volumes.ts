// Unity Catalog volume paths (`/Volumes/<catalog>/<schema>/<volume>/...`) mapped onto local folders.

import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../../errors/index.ts';

/** A folder under which `/Volumes/...` is mirrored, or a function doing the mapping itself. */
export type LandingRoot = string | ((volumePath: string) => string);

export interface ResolvedLocation {
  /** Where the files are on this machine (absolute). */
  localDir: string;
  /** The path as the pipeline names it, recorded as `_source_file` (what `_metadata.file_path` shows on Databricks). */
  volumeDir: string;
}

const VOLUME_PREFIX = /^(?:dbfs:)?\/Volumes\//;

/** `/Volumes/cat/landing/raw/sales` with landing root `/tmp/land` → `/tmp/land/cat/landing/raw/sales`. */
export function volumeToLocalPath(volumePath: string, landingRoot: LandingRoot): string {
  if (typeof landingRoot === 'function') return resolve(landingRoot(volumePath));
  const match = VOLUME_PREFIX.exec(volumePath);
  if (match) return resolve(join(landingRoot, volumePath.slice(match[0].length)));
  if (isAbsolute(volumePath)) return resolve(volumePath);
  throw new UserError(
    `Cannot map source path "${volumePath}" to a local folder.`,
    'Use a Unity Catalog volume path (/Volumes/<catalog>/<schema>/<volume>/...) or an absolute local path.',
  );
}

export function resolveLocation(path: string, catalog: string, landingRoot: LandingRoot): ResolvedLocation {
  const volumeDir = path.replaceAll('${catalog}', catalog).replace(/\/+$/, '');
  return { localDir: volumeToLocalPath(volumeDir, landingRoot), volumeDir };
}
