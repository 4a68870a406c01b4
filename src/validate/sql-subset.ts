// Portability check for SQL text: flags constructs outside the subset both Databricks SQL and DuckDB run
// (rules in sql-subset-rules.ts), working on tokens so strings and comments never match.
import type { Severity } from './diagnostic.ts';
import {
  DUCKDB_ONLY_PREFIXES,
  FUNCTION_DENYLIST,
  KEYWORD_DENYLIST,
  LIVE_PREFIX_RULE,
  LITERAL_RULES,
  NON_FUNCTION_WORDS,
  OPERATOR_DENYLIST,
  PORTABLE_CAST_TYPES,
  PORTABLE_FUNCTIONS,
  PORTABLE_SPECIAL_FORMS,
  SQL_PLACEHOLDERS,
  type SqlRule,
} from './sql-subset-rules.ts';
import { stringContent, tokenize, type SqlToken } from './sql-tokenize.ts';

export interface SqlFinding {
  severity: Severity;
  /** The construct as written, e.g. `collect_list(` or `::`. */
  construct: string;
  message: string;
  /** 1-based position in the SQL text. */
  line: number;
  column: number;
}

export interface SqlCheckOptions {
  /**
   * The `${name}` placeholders the runtime substitutes in this text (default: `${catalog}` and `${schema}`, as in
   * dashboard queries); a pipeline's configuration keys for its tables, a notebook's widgets for its tables.
   */
  placeholders?: readonly string[];
  /** Where the placeholders come from and how to add one, for the message about one that is not there. */
  placeholderHint?: string;
}

const PORTABLE = new Set([...PORTABLE_FUNCTIONS, ...Object.keys(PORTABLE_SPECIAL_FORMS)]);
const NOT_FUNCTIONS = new Set(NON_FUNCTION_WORDS);
const CAST_TYPES = new Set(PORTABLE_CAST_TYPES);

function functionRule(name: string): SqlRule | undefined {
  const lower = name.toLowerCase();
  if (PORTABLE.has(lower)) return undefined;
  const denied = FUNCTION_DENYLIST[lower];
  if (denied) return denied;
  const prefix = Object.keys(DUCKDB_ONLY_PREFIXES).find((p) => lower.startsWith(p));
  if (prefix) return DUCKDB_ONLY_PREFIXES[prefix];
  return { severity: 'warning', message: 'is not in the SQL subset known to run the same on Databricks SQL and DuckDB' };
}

function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}

function isWord(token: SqlToken | undefined, upper: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === upper;
}

/** Index of the `)` that closes the `(` at `open`, or -1. */
function closingParen(tokens: SqlToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isPunct(tokens[k], '(')) depth++;
    else if (isPunct(tokens[k], ')') && --depth === 0) return k;
  }
  return -1;
}

/** `name (a, b) AS (` in a WITH clause declares a CTE's columns; it is not a call. */
function isCteColumnList(tokens: SqlToken[], open: number): boolean {
  const close = closingParen(tokens, open);
  return close !== -1 && isWord(tokens[close + 1], 'AS') && isPunct(tokens[close + 2], '(');
}

export function checkSql(sql: string, options: SqlCheckOptions = {}): SqlFinding[] {
  const { tokens, unterminatedComments } = tokenize(sql);
  const findings: SqlFinding[] = [];
  const seen = new Set<string>();
  const add = (token: { line: number; column: number }, construct: string, rule: SqlRule): void => {
    // one finding per construct and rule in a text: the first place is enough to fix them all
    const key = `${construct.toLowerCase()}\u0000${rule.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({ severity: rule.severity, construct, message: `\`${construct}\` ${rule.message}`, line: token.line, column: token.column });
  };
  for (const c of unterminatedComments) add(c, '/*', { severity: 'error', message: 'opens a comment that never ends' });

  const castParens: boolean[] = [];
  const typePositions = new Set<number>();
  tokens.forEach((token, i) => {
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    switch (token.kind) {
      case 'word': {
        const upper = token.text.toUpperCase();
        if (upper === 'LIVE' && isPunct(next, '.') && !isPunct(prev, '.')) add(token, 'LIVE.', LIVE_PREFIX_RULE);
        for (const { words, rule } of KEYWORD_DENYLIST) {
          if (words.every((w, k) => isWord(tokens[i + k], w))) add(token, words.join(' '), rule);
        }
        if (upper === 'AS' && castParens.at(-1) === true && tokens[i + 1]?.kind === 'word') {
          typePositions.add(i + 1);
          const type = tokens[i + 1]!.text.toUpperCase();
          if (!CAST_TYPES.has(type)) add(tokens[i + 1]!, type, { severity: 'warning', message: `is not a type both engines cast to the same way (use one of ${PORTABLE_CAST_TYPES.join(', ')})` });
        }
        const isCall = isPunct(next, '(') && !isPunct(prev, '.') && !typePositions.has(i) && !NOT_FUNCTIONS.has(upper);
        if (isCall && !isCteColumnList(tokens, i + 1)) {
          const rule = functionRule(token.text);
          if (rule) add(token, `${token.text}(`, rule);
        }
        break;
      }
      case 'punct':
        if (token.text === '(') castParens.push(isWord(prev, 'CAST') || isWord(prev, 'TRY_CAST'));
        else if (token.text === ')') castParens.pop();
        break;
      case 'operator': {
        const rule = OPERATOR_DENYLIST[token.text];
        if (rule) add(token, token.text, rule);
        break;
      }
      case 'string':
        if (token.unterminated) add(token, token.text.slice(0, 12), { severity: 'error', message: 'starts a string that never ends' });
        if (token.prefix === 'r') add(token, token.text.slice(0, 2), LITERAL_RULES.rawPrefix);
        else if (token.prefix === 'e') add(token, token.text.slice(0, 2), LITERAL_RULES.escapePrefix);
        if (token.prefix !== 'r' && stringContent(token).includes('\\')) add(token, token.text, LITERAL_RULES.backslash);
        break;
      case 'backtick':
        add(token, token.text, LITERAL_RULES.backtick);
        break;
      case 'dquote':
        add(token, token.text, LITERAL_RULES.doubleQuote);
        break;
      case 'number':
        if (token.suffix) add(token, token.text, LITERAL_RULES.numberSuffix);
        break;
      case 'placeholder':
        checkPlaceholder(tokens[i]!, options, add);
        break;
    }
  });
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

function checkPlaceholder(token: SqlToken, options: SqlCheckOptions, add: (token: SqlToken, construct: string, rule: SqlRule) => void): void {
  const name = token.text.slice(2, token.text.endsWith('}') ? -1 : undefined).trim();
  const known = options.placeholders ?? SQL_PLACEHOLDERS;
  if (known.includes(name)) return;
  const list = known.length > 0 ? known.map((p) => `\${${p}}`).join(', ') : 'none';
  const hint = options.placeholderHint ? `; ${options.placeholderHint}` : '';
  add(token, token.text, { severity: 'error', message: `is not substituted in this SQL (placeholders: ${list})${hint}` });
}
