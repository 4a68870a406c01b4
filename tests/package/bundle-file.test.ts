// A bundle file that cannot be loaded gets one clear message naming the file (and line), exit 2, no stack
// trace; run through the built package, so it is Node's own type stripping that loads the file.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackageCopy, dbxTs, projectUsing, type Result } from './helpers.ts';

const ESM = JSON.stringify({ type: 'module', 'dbx-ts': { bundle: 'bundle.ts' } });
const CJS = JSON.stringify({ type: 'commonjs', 'dbx-ts': { bundle: 'bundle.ts' } });
const GOOD = [
  "import { Bundle, Job } from 'dbx-ts';",
  "const app = new Bundle({ name: 'b', targets: { local: { default: true, local: true } } });",
  "new Job(app, 'j', { name: 'J' });",
  'export default app;',
  '',
].join('\n');

let pkg: string;
beforeAll(async () => {
  pkg = await buildPackageCopy();
}, 180_000);

async function validate(files: Record<string, string>): Promise<Result> {
  const dir = await projectUsing(pkg, files);
  return dbxTs(pkg, ['validate'], dir);
}

/** One message: exit 2, the text on stderr, and nothing that looks like a stack trace. */
function expectOneClearError(result: Result, ...parts: string[]): void {
  expect(result.stdout).toBe('');
  for (const part of parts) expect(result.stderr).toContain(part);
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('node:internal');
  expect(result.code).toBe(2);
}

describe('loading a bundle file', () => {
  it('loads a bundle of an ES module project, and of a CommonJS one (as `npm init -y` makes)', async () => {
    for (const packageJson of [ESM, CJS]) {
      const result = await validate({ 'package.json': packageJson, 'bundle.ts': GOOD });
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('Validation OK');
      expect(result.code).toBe(0);
    }
  });

  it('says a CommonJS bundle file must be an ES module, naming its line', async () => {
    const bundle = "const { Bundle } = require('dbx-ts');\nmodule.exports = new Bundle({ name: 'b' });\n";
    const result = await validate({ 'package.json': CJS, 'bundle.ts': bundle });
    expectOneClearError(result, 'bundle.ts:1:20: `require` is CommonJS, but dbx-ts loads bundle files as ES modules.', 'export default app');
  });

  it('names the file, line and column of a syntax error', async () => {
    const result = await validate({ 'package.json': ESM, 'bundle.ts': GOOD.replace("const app =", 'const app: =') });
    expectOneClearError(result, 'bundle.ts:2:12: ');
  });

  it('names an import that does not exist, and suggests `import type` for types', async () => {
    const result = await validate({ 'package.json': ESM, 'bundle.ts': GOOD.replace('Bundle, Job', 'Bundle, Job, TableDefinition') });
    expectOneClearError(result, "bundle.ts:1:23: The requested module 'dbx-ts' does not provide an export named 'TableDefinition'.", 'import type { TableDefinition }');
  });

  it('points a .js import of a .ts file at the file as it is named', async () => {
    const bundle = `import { name } from './tables.js';\n${GOOD.replace("name: 'b'", 'name')}`;
    const result = await validate({ 'package.json': ESM, 'bundle.ts': bundle, 'tables.ts': "export const name: string = 'b';\n" });
    expectOneClearError(result, 'bundle.ts imports tables.js, which does not exist.', "import './tables.ts'");
  });

  it('says which TypeScript Node.js does not run (an enum), and where', async () => {
    const result = await validate({ 'package.json': ESM, 'bundle.ts': `${GOOD}enum Size { S, M }\n` });
    expectOneClearError(result, 'bundle.ts:5:1: TypeScript enum is not supported in strip-only mode.', 'erasableSyntaxOnly');
  });

  it('asks for a default export when there is none, or when it is not a Bundle', async () => {
    const none = await validate({ 'package.json': ESM, 'bundle.ts': GOOD.replace('export default app;', 'export { app };') });
    expectOneClearError(none, 'bundle.ts has no default export.', 'export default app');
    const notBundle = await validate({ 'package.json': ESM, 'bundle.ts': 'export default { name: "b" };\n' });
    expectOneClearError(notBundle, 'The default export of bundle.ts is an object (Object), not a Bundle.');
  });

  it('reports an Error the file throws with the line that threw', async () => {
    const bundle = GOOD.replace('export default app;', "if (!process.env['NOPE']) throw new Error('set NOPE first');\nexport default app;");
    const result = await validate({ 'package.json': ESM, 'bundle.ts': bundle });
    expectOneClearError(result, 'bundle.ts threw while loading, at bundle.ts:4:33: Error: set NOPE first');
  });

  it('reports a thrown value that is not an Error', async () => {
    const result = await validate({ 'package.json': ESM, 'bundle.ts': `${GOOD}throw 'not ready';\n` });
    expectOneClearError(result, 'bundle.ts threw "not ready" while loading (not an Error, so no line is known).');
  });

  it("keeps dbx-ts' own definition errors, which name the user's line", async () => {
    const result = await validate({ 'package.json': ESM, 'bundle.ts': GOOD.replace("new Job(app, 'j', { name: 'J' });", "new Job(app, 'j', { name: 'J' });\nnew Job(app, 'j', { name: 'K' });") });
    expectOneClearError(result, 'bundle.ts:4');
  });

  it('says so when the bundle imports another copy of dbx-ts than the one running it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'dbx-ts-other-copy-'));
    await cp(pkg, other, { recursive: true, verbatimSymlinks: true });
    const dir = await projectUsing(other, { 'package.json': ESM, 'bundle.ts': GOOD });
    const result = await dbxTs(pkg, ['validate'], dir);
    expectOneClearError(result, `bundle.ts builds its Bundle with the dbx-ts in ${other}, but this dbx-ts runs from ${pkg}.`, 'npx dbx-ts');
  });
});
