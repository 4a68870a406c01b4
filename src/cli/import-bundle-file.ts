// Imports a user's bundle file with Node's own TypeScript type stripping, always as an ES module, and turns
// every way that can fail (syntax, CommonJS, a missing import, code that throws) into one UserError that names
// the file and, where there is one, the line: a user's mistake never ends in a stack trace.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UserError } from '../errors/index.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { strippedSource } from './typescript-cache.ts';

/** dbx-ts' own code, in a clone (src/) or the package (dist/): frames there are not the user's line. */
const OWN_CODE = [join(PACKAGE_ROOT, 'src') + sep, join(PACKAGE_ROOT, 'dist') + sep];

let esmHookInstalled = false;

/**
 * Bundle files are ES modules whatever the project's package.json says: a CommonJS project (`npm init -y`
 * writes "type": "commonjs") would otherwise have Node load bundle.ts as CommonJS and fail on its `import`.
 * Only TypeScript outside node_modules is affected; installed packages load as they always do. Types are
 * stripped through a cache keyed by content (typescript-cache.ts).
 */
function loadUserTypeScriptAsEsm(): void {
  if (esmHookInstalled || typeof module.registerHooks !== 'function') return;
  esmHookInstalled = true;
  module.registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      const typescript = result.format === 'commonjs-typescript' || result.format === 'module-typescript';
      if (!typescript || !url.startsWith('file:') || url.includes('/node_modules/') || result.source === undefined) return result;
      const stripped = strippedSource(typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8'));
      return stripped === undefined ? { ...result, format: 'module-typescript' } : { ...result, format: 'module', source: stripped };
    },
  });
}

/** The module's namespace (its exports); failures become UserErrors. */
export async function importBundleFile(file: string, cwd: string): Promise<Record<string, unknown>> {
  loadUserTypeScriptAsEsm();
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw explainLoadError(error, file, cwd);
  }
}

const ERASABLE_HINT =
  'dbx-ts loads bundle files with Node.js type stripping, which runs erasable TypeScript only: no enum, ' +
  'namespace or constructor parameter properties ("erasableSyntaxOnly": true in tsconfig.json flags them).';

const ESM_HINT = "Write `import { Bundle } from 'dbx-ts'` and end the file with `export default app` (the Bundle).";

function explainLoadError(error: unknown, file: string, cwd: string): UserError {
  const show = (path: string): string => displayPath(path, cwd);
  if (error instanceof UserError) return error;
  if (!(error instanceof Error)) {
    return new UserError(`${show(file)} threw ${describeValue(error)} while loading (not an Error, so no line is known).`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  const where = (loc: string | undefined): string => loc ?? show(file);
  if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') {
    return new UserError(`${where(syntaxLocation(error, show))}: ${error.message}.`, ERASABLE_HINT);
  }
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?ts\b/.test(error.message)) {
    return new UserError(
      `Cannot load ${show(file)}: this Node.js (${process.version}) does not run TypeScript.`,
      'dbx-ts needs Node.js 22.18 or later, with type stripping on (it is by default).',
    );
  }
  if (code === 'ERR_MODULE_NOT_FOUND') return missingModule(error, file, show);
  if (error instanceof SyntaxError) {
    const missingExport = /does not provide an export named '([^']+)'/.exec(error.message)?.[1];
    return new UserError(
      `${where(syntaxLocation(error, show))}: ${error.message.replace(/\.?$/, '.')}`,
      missingExport ? `If ${missingExport} is a type, import it with \`import type { ${missingExport} }\`.` : undefined,
    );
  }
  const cjs = /^(require|module|exports|__dirname|__filename) is not defined in ES module scope/.exec(error.message);
  if (error instanceof ReferenceError && cjs) {
    return new UserError(
      `${where(userFrame(error, show))}: \`${cjs[1]}\` is CommonJS, but dbx-ts loads bundle files as ES modules.`,
      cjs[1]!.startsWith('__') ? `Use import.meta.${cjs[1] === '__dirname' ? 'dirname' : 'filename'} instead.` : ESM_HINT,
    );
  }
  const loc = userFrame(error, show);
  return new UserError(`${show(file)} threw while loading${loc ? `, at ${loc}` : ''}: ${error.name}: ${error.message}`);
}

function missingModule(error: Error, file: string, show: (path: string) => string): UserError {
  const match = /Cannot find (?:module|package) '([^']+)' imported from (\S+)/.exec(error.message);
  const missing = match?.[1];
  const importer = match?.[2]?.startsWith('file:') ? fileURLToPath(match[2]) : (match?.[2] ?? file);
  const from = show(importer);
  if (!missing) return new UserError(`${show(file)}: ${error.message}`);
  if (isAbsolute(missing)) {
    const asTs = [missing.replace(/\.js$/, '.ts'), `${missing}.ts`].find((p) => p !== missing && existsSync(p));
    const spec = asTs ? relative(dirname(importer), asTs).split(sep).join('/') : '';
    return new UserError(
      `${from} imports ${relative(dirname(importer), missing)}, which does not exist.`,
      asTs ? `Name the TypeScript file as it is: import '${spec.startsWith('.') ? spec : `./${spec}`}' (Node.js resolves file names as written).` : undefined,
    );
  }
  const pkg = missing.startsWith('@') ? missing.split('/').slice(0, 2).join('/') : missing.split('/')[0];
  return new UserError(`${from} imports '${missing}', which is not installed.`, `Install it in the project: npm install ${pkg}`);
}

/** `file:line:column` of a syntax error: the first line of its stack, the column from the caret under the code. */
function syntaxLocation(error: Error, show: (path: string) => string): string | undefined {
  const lines = (error.stack ?? '').split('\n');
  const head = /^(file:\/\/\S+?|\/\S+?):(\d+)$/.exec(lines[0] ?? '');
  if (!head) return userFrame(error, show);
  const path = head[1]!.startsWith('file:') ? fileURLToPath(head[1]!) : head[1]!;
  const caret = lines.slice(1, 6).find((l) => /^\s*\^+\s*$/.test(l));
  return `${show(path)}:${head[2]}${caret ? `:${caret.indexOf('^') + 1}` : ''}`;
}

/** The first stack frame in the user's own code (not Node's, not an installed package's, not dbx-ts'). */
function userFrame(error: Error, show: (path: string) => string): string | undefined {
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const path = m[1]!.startsWith('file:') ? fileURLToPath(m[1]!) : m[1]!;
    if (path.includes(`${sep}node_modules${sep}`) || OWN_CODE.some((dir) => path.startsWith(dir))) continue;
    return `${show(path)}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
