import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import {
  pyStr,
  pyValue,
  singleLine,
  sqlCommentText,
  sqlIdent,
  sqlIdentDuck,
  sqlQualified,
  sqlStr,
  sqlStrDatabricks,
} from '../../src/synth/escape.ts';
import { HOSTILE_STRINGS, pyCompile, runPython } from './escape-support.ts';

/** Evaluates Python literals with python3 and returns them decoded from JSON. */
function evalPython(literals: string[]): unknown[] {
  const program = ['import json, sys', `VALUES = [\n${literals.map((l) => `    ${l},`).join('\n')}\n]`, 'sys.stdout.write(json.dumps(VALUES))'].join('\n');
  pyCompile(program);
  return JSON.parse(runPython(program)) as unknown[];
}

async function duckValues(expressions: string[]): Promise<unknown[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const sql = `SELECT ${expressions.map((e, i) => `${e} AS v${i}`).join(', ')}`;
    const reader = await conn.runAndReadAll(sql);
    return reader.getRows()[0] as unknown[];
  } finally {
    conn.closeSync();
  }
}

describe('pyStr', () => {
  it('round-trips every hostile string through python3', () => {
    const values = evalPython(HOSTILE_STRINGS.map(pyStr));
    expect(values).toEqual(HOSTILE_STRINGS);
  });

  it('is one line of printable ASCII, so it cannot split a notebook cell or start a magic', () => {
    for (const s of HOSTILE_STRINGS) {
      const lit = pyStr(s);
      expect(lit).toMatch(/^"[\x20-\x7e]*"$/);
      expect(lit.includes('\n')).toBe(false);
    }
  });

  it('keeps a value placed as a statement from executing as code', () => {
    const marker = 'import sys; sys.stdout.write("INJECTED")';
    const program = `x = ${pyStr(`"\n${marker}\n"`)}\nx = ${pyStr(`'''\n${marker}\n'''`)}\n`;
    expect(runPython(program)).toBe('');
  });
});

describe('pyValue', () => {
  it('writes nested lists and dicts that python3 reads back', () => {
    const value = { name: "it's", n: 42, f: 0.1, neg: -7.5, big: 1e21, ok: true, no: false, none: null, list: [1, 'a"b', [{ k: 'v' }]] };
    expect(evalPython([pyValue(value)])[0]).toEqual(value);
    expect(evalPython([pyValue(value, 0)])[0]).toEqual(value);
  });

  it('writes special floats and -0.0 as Python reads them', () => {
    const out = runPython(
      `import math\nv = [${[NaN, Infinity, -Infinity, -0].map((n) => pyValue(n)).join(', ')}]\n` +
        'print(math.isnan(v[0]), v[1] == float("inf"), v[2] == float("-inf"), math.copysign(1, v[3]))',
    );
    expect(out.trim()).toBe('True True True -1.0');
  });

  it('spreads containers over indented lines when asked', () => {
    expect(pyValue({ a: [1, 2] }, 0)).toBe('{\n    "a": [\n        1,\n        2,\n    ],\n}');
    expect(pyValue([], 0)).toBe('[]');
  });
});

describe('sqlStr', () => {
  it('reads back as the same value in DuckDB', async () => {
    // Lone surrogates have no UTF-8 form, so no SQL engine stores them.
    const values = HOSTILE_STRINGS.filter((s) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')));
    expect(await duckValues(values.map(sqlStr))).toEqual(values);
  });

  it('never puts a quote or a backslash inside a literal, where Databricks and DuckDB disagree', () => {
    for (const s of HOSTILE_STRINGS) {
      const literals = sqlStr(s).match(/'[^']*'/g) ?? [];
      for (const lit of literals) expect(lit.slice(1, -1)).not.toMatch(/['\\]/);
    }
    expect(sqlStr("a'b\\c")).toBe("('a' || chr(39) || 'b' || chr(92) || 'c')");
    expect(sqlStr('plain')).toBe("'plain'");
    expect(sqlStr("'")).toBe('chr(39)');
  });
});

describe('sqlStrDatabricks', () => {
  it('escapes per the Databricks STRING literal rules', () => {
    expect(sqlStrDatabricks("it's a \\ test\n")).toBe("'it\\'s a \\\\ test\\n'");
  });

  it('leaves no unescaped quote that could end the literal early', () => {
    for (const s of HOSTILE_STRINGS) {
      const body = sqlStrDatabricks(s).slice(1, -1);
      // Every quote is preceded by an odd number of backslashes.
      for (const m of body.matchAll(/(\\*)'/g)) expect(m[1]!.length % 2).toBe(1);
      expect(body).not.toMatch(/[\n\r]/);
    }
  });
});

describe('identifiers', () => {
  it('quotes DuckDB identifiers so any name survives', async () => {
    const names = ['plain', 'with space', 'dq"uote', 'back`tick', 'semi;colon', 'ünï', '--dash'];
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(`SELECT ${names.map((n, i) => `${i} AS ${sqlIdentDuck(n)}`).join(', ')}`);
    expect(reader.columnNames()).toEqual(names);
    conn.closeSync();
  });

  it('backquotes Databricks identifiers with backticks doubled', () => {
    expect(sqlIdent('a`b')).toBe('`a``b`');
    expect(sqlQualified('${catalog}', 'silver', 'sales')).toBe('`${catalog}`.`silver`.`sales`');
  });
});

describe('singleLine', () => {
  it('turns every line break into a space', () => {
    expect(singleLine('a\nb\rc\u2028d\u0085e')).toBe('a b c d e');
  });

  it('breaks up ${ in SQL comment text, which Databricks would substitute even there', () => {
    expect(sqlCommentText('pipeline ${spark.secret}\nnext')).toBe('pipeline $ {spark.secret} next');
  });
});
