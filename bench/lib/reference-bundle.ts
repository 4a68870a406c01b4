// The reference bundle in a scratch project that uses the built package (node_modules/dbx-ts), as a user's
// project would: for benches that time whole commands the way users start them.
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLE_DIR = 'bundles/sales-lakehouse';

/** The reference bundle as a user's project has it: `import ... from 'dbx-ts'` instead of the clone's src/, and
 *  the packages its own code imports (e.g. handlebars) installed beside dbx-ts (linked from this clone). */
export function copyReferenceBundle(project: string): void {
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (name.startsWith('.') || existsSync(join(project, 'node_modules', name))) continue;
    symlinkSync(join(REPO, 'node_modules', name), join(project, 'node_modules', name), 'dir');
  }
  cpSync(join(REPO, 'notebooks-src'), join(project, 'notebooks-src'), { recursive: true });
  cpSync(join(REPO, BUNDLE_DIR), join(project, BUNDLE_DIR), { recursive: true });
  const fromSources = /(['"])(?:\.\.\/)+src\/[^'"]*\1/g;
  for (const name of readdirSync(join(project, BUNDLE_DIR), { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.ts')) continue;
    const file = join(project, BUNDLE_DIR, name);
    const text = readFileSync(file, 'utf8');
    for (const line of text.split('\n')) {
      // type-only imports vanish when Node strips types; a value import must be one the package exports
      if (fromSources.test(line) && !/^import type /.test(line) && !/src\/index\.ts/.test(line)) {
        throw new Error(`${BUNDLE_DIR}/${name} imports from dbx-ts' sources other than src/index.ts: ${line.trim()}`);
      }
      fromSources.lastIndex = 0;
    }
    writeFileSync(file, text.replace(fromSources, "'dbx-ts'"));
  }
}

