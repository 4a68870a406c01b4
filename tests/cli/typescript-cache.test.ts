// Bundle files are stripped of their types once per content, with the same text Node's loader would run.
import { describe, expect, it } from 'vitest';
import { strippedSource } from '../../src/cli/typescript-cache.ts';

describe('the type-stripping cache', () => {
  it('gives the source without its types, lines and columns kept, the same text every time', () => {
    const source = `const n: number = ${Date.now()};\ninterface A { x: string }\nexport const a = (v: A): string => v.x + n;\n`;
    const stripped = strippedSource(source);
    expect(stripped).toBeDefined();
    expect(stripped).not.toContain('interface');
    expect(stripped!.split('\n').length).toBe(source.split('\n').length);
    expect(stripped!.indexOf('export const a')).toBe(source.indexOf('export const a'));
    expect(strippedSource(source)).toBe(stripped);
  });

  it('leaves what it cannot strip to Node, which reports it its usual way', () => {
    expect(strippedSource(`enum Colour { Red }\nexport default Colour;\n`)).toBeUndefined();
  });
});
