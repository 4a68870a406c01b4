// Bundle YAML reads back the same under YAML 1.2 and YAML 1.1 (which reads yes/no/on/off, 0777, 1_000 otherwise).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml, yaml11Misreads, yaml11MisreadsByParsing } from '../../src/synth/yaml.ts';

describe('toYaml', () => {
  it('quotes strings YAML 1.1 would read as booleans, numbers, null or dates, keys included', () => {
    const doc = { on: ['yes', 'no', 'off', 'y', 'n', 'Y', 'NO', '0777', '1_000', '1:30', '~', '2024-05-01', 'plain words'], count: 3, flag: true };
    const text = toYaml(doc);
    expect(text).toContain('"on":');
    expect(text).toContain('- "yes"\n');
    expect(text).toContain('- "0777"\n');
    expect(text).toContain('- plain words\n');
    expect(text).toContain('count: 3\n');
    expect(parse(text, { version: '1.1' })).toEqual(doc);
    expect(parse(text)).toEqual(doc);
  });

  it('knows which plain scalars YAML 1.1 misreads', () => {
    for (const s of ['yes', 'On', 'n', '0777', '1_000', '1:30', 'null', '2024-05-01', '']) expect(yaml11Misreads(s), s).toBe(true);
    for (const s of ['sales', 'yes please', 'v1.2', 'on-call']) expect(yaml11Misreads(s), s).toBe(false);
  });
});

describe('yaml11Misreads shortcut', () => {
  it('agrees with parsing on every kind of scalar a bundle holds, generated at random', () => {
    // Seeded: the same strings every run, so a disagreement is reproducible.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['a', 'Z', 'y', 'n', 'e', 'E', 'o', 'f', '0', '1', '9', '_', '.', '-', '/', ' ', ':', '#', '+', 'x', 'N', 'O'];
    const samples = ['yes', 'No', 'ON', 'off', 'Y', 'n', 'null', 'Null', 'true', 'FALSE', 'e1', 'E5', 'x1.0', 'inf', 'nan', 'a b', 'a  b', 'a ', 'o/1', 'task_0', 'Job 12'];
    for (let i = 0; i < 20000; i++) {
      const length = 1 + Math.floor(random() * 8);
      samples.push(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    for (const s of samples) expect(yaml11Misreads(s), JSON.stringify(s)).toBe(yaml11MisreadsByParsing(s));
  });
});
