/**
 * Builds the package: src/ → dist/ (JavaScript plus .d.ts, one file per module, through tsc with
 * tsconfig.build.json), the non-TypeScript files under src/ (the schema JSON) copied beside them, and the
 * bundle-schema validator compiled once here (ajv standalone code) so no user pays for compiling it.
 *
 * Run with `npm run build`; `npm pack` and `npm publish` run it first (prepack). `--out DIR` builds into
 * another folder (tests build a package copy of their own that way).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleValidatorSource } from '../src/schema/validators.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const outFlag = process.argv.indexOf('--out');
const dist = outFlag > 0 ? path.resolve(process.argv[outFlag + 1] ?? '') : path.join(root, 'dist');

function copyAssets(dir: string): number {
  let copied = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) copied += copyAssets(from);
    else if (!entry.name.endsWith('.ts') && !entry.name.endsWith('.md')) {
      const to = path.join(dist, path.relative(src, from));
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(from, to);
      copied += 1;
    }
  }
  return copied;
}

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
const assets = copyAssets(src);
writeFileSync(path.join(dist, 'schema', 'bundle-validator.cjs'), bundleValidatorSource().code);
console.log(`${path.relative(process.cwd(), dist) || dist} built in ${((Date.now() - started) / 1000).toFixed(1)} s (${assets} asset file(s) copied, bundle validator compiled)`);
