// The Vega runtime, inlined into the offline dashboard so it renders with no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The minified UMD build of the installed `vega` package (defines `window.vega`). */
export function vegaRuntimeSource(): string {
  if (cached === undefined) {
    // `vega` exports only its ESM entry (build/vega.module.js); the UMD bundle sits next to it.
    const entry = createRequire(import.meta.url).resolve('vega');
    const source = readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
    // Inlined verbatim, so it must not contain anything that would end or alter the <script> element.
    if (/<\/script|<!--/i.test(source)) throw new Error('vega.min.js contains "</script" or "<!--" and cannot be inlined');
    cached = source;
  }
  return cached;
}
