// dbx-ts import: a YAML bundle (databricks.yml and its includes) written as a TypeScript definition.
// The YAML is read as the Databricks CLI reads it (load.ts), arranged per construct (inventory.ts) and written
// out (emit.ts). Sources stay where they are: the definition names them relative to the bundle's folder.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { UserError } from '../errors/index.ts';
import { emitProject, type EmittedFile, type ImportNote } from './emit.ts';
import { inventory } from './inventory.ts';
import { loadBundle } from './load.ts';

export type { EmittedFile, ImportNote } from './emit.ts';

/** The first line of every file import writes: what it may overwrite on a second import. */
const MARK = 'imported by dbx-ts import';

export interface ImportResult {
  bundleDir: string;
  outDir: string;
  bundleName: string;
  /** Files written, relative to outDir (project files it added too). */
  written: string[];
  notes: ImportNote[];
  targets: string[];
}

export interface ImportOptions {
  /** Where the definition goes; default: the bundle's own folder, beside the YAML. */
  outDir?: string;
  /** How the project depends on dbx-ts in a new package.json. */
  dependency: string;
}

function ownFile(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').split('\n', 1)[0]!.toLowerCase().includes(MARK);
  } catch {
    return false;
  }
}

/** The definition's files, without writing anything. */
export function importProject(bundleDir: string, outDir: string): { files: EmittedFile[]; notes: ImportNote[]; name: string; targets: string[] } {
  const loaded = loadBundle(bundleDir);
  const inv = inventory(loaded);
  const sourceRoot = relative(outDir, loaded.root).split('\\').join('/') || '.';
  const { files, notes } = emitProject(inv, { sourceRoot });
  const targets = Object.keys(inv.targets).length > 0 ? Object.keys(inv.targets) : ['default'];
  return { files, notes, name: inv.name, targets };
}

export async function importBundle(bundleDir: string, opts: ImportOptions): Promise<ImportResult> {
  const root = resolvePath(bundleDir);
  const outDir = resolvePath(opts.outDir ?? root);
  const { files, notes, name, targets } = importProject(root, outDir);
  const clashes = files.map((f) => f.path).filter((p) => existsSync(join(outDir, p)) && !ownFile(join(outDir, p)));
  if (clashes.length > 0) {
    throw new UserError(
      `dbx-ts import would overwrite ${clashes.join(', ')} in ${outDir}, which it did not write.`,
      'Import into another folder with --out <dir> (the definition then refers to the sources where they are).',
    );
  }
  const written: string[] = [];
  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(outDir, path)), { recursive: true });
    await writeFile(join(outDir, path), content);
    written.push(path);
  };
  for (const f of files) await write(f.path, f.content);
  if (!existsSync(join(outDir, 'package.json'))) {
    const pkg = { name: name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'bundle', private: true, type: 'module', 'dbx-ts': { bundle: 'bundle.ts' }, dependencies: { 'dbx-ts': opts.dependency } };
    await write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  }
  if (!existsSync(join(outDir, 'tsconfig.json'))) await write('tsconfig.json', TSCONFIG);
  return { bundleDir: root, outDir, bundleName: name, written, notes, targets };
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2023',
      lib: ['ES2023'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      erasableSyntaxOnly: true,
      verbatimModuleSyntax: true,
    },
    include: ['**/*.ts'],
    exclude: ['node_modules', '.dbx-ts'],
  },
  null,
  2,
)}\n`;
