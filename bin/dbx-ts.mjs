#!/usr/bin/env node
// The dbx-ts command. The installed package runs its compiled dist/. A clone of the repository (src/ is there;
// npm ships only dist/) runs the TypeScript sources through tsx instead, so working on dbx-ts needs no build,
// and a bundle's `import ... from 'dbx-ts'` gets those same sources.
import { existsSync } from 'node:fs';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`dbx-ts needs Node.js 22.18 or later; this is ${process.version}.\n`);
  process.exit(2);
}

// V8 keeps the code it compiled (in the OS temp folder), so every start after the first skips most compiling.
module.enableCompileCache?.();

const sources = new URL('../src/', import.meta.url);
let main;
if (existsSync(new URL('cli/main.ts', sources))) {
  const { register } = await import('tsx/esm/api');
  register();
  const index = new URL('index.ts', sources).href;
  module.registerHooks({
    resolve: (specifier, context, next) => (specifier === 'dbx-ts' ? { url: index, shortCircuit: true } : next(specifier, context)),
  });
  ({ main } = await import(new URL('cli/main.ts', sources).href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv);
