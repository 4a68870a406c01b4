// A small SQL tokenizer for checking portability: strings, quoted identifiers and comments are single tokens,
// so nothing inside them is mistaken for a function or keyword. Not a parser: the checker works on token sequences.

export type SqlTokenKind =
  | 'word' // bare identifier or keyword
  | 'backtick' // `quoted identifier` (Databricks)
  | 'dquote' // "..." (identifier in DuckDB, string in Databricks)
  | 'string' // '...' including prefixed forms r'...' and e'...'
  | 'number'
  | 'placeholder' // ${...}
  | 'operator'
  | 'punct'; // ( ) , . ; [ ] { }

export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
  /** 0-based offset into the SQL text. */
  offset: number;
  /** 1-based line and column in the SQL text. */
  line: number;
  column: number;
  /** For strings: the prefix letter (`r`, `e`, `x`...) when written r'...'. */
  prefix?: string;
  /** For numbers: letters glued to the digits, e.g. `L` in `1L` (a Spark literal suffix). */
  suffix?: string;
  /** Set when a string, quoted identifier or block comment has no end. */
  unterminated?: boolean;
}

export interface Tokenized {
  tokens: SqlToken[];
  /** Comments that never end, reported like unterminated tokens. */
  unterminatedComments: { line: number; column: number }[];
}

const OPERATORS = ['<=>', '::', '<>', '!=', '>=', '<=', '==', '||', '->', '=>', '**', '<<', '>>'];
const SINGLE_OPERATORS = '+-*/%=<>!&|^~:?@';
const PUNCTUATION = '(),.;[]{}';

export function tokenize(sql: string): Tokenized {
  const tokens: SqlToken[] = [];
  const unterminatedComments: { line: number; column: number }[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const position = (offset: number) => ({ offset, line, column: offset - lineStart + 1 });
  const advanceTo = (end: number): void => {
    for (let k = i; k < end && k < sql.length; k++) {
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    i = Math.min(end, sql.length);
  };
  const push = (kind: SqlTokenKind, end: number, extra: Partial<SqlToken> = {}): void => {
    const at = position(i);
    const text = sql.slice(i, Math.min(end, sql.length));
    advanceTo(end);
    tokens.push({ kind, text, ...at, ...extra });
  };

  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1] ?? '';
    if (/\s/.test(ch)) {
      advanceTo(i + 1);
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      advanceTo(end === -1 ? sql.length : end);
    } else if (ch === '/' && next === '*') {
      const start = position(i);
      const end = blockCommentEnd(sql, i);
      if (end === -1) unterminatedComments.push({ line: start.line, column: start.column });
      advanceTo(end === -1 ? sql.length : end);
    } else if (ch === "'") {
      const end = quotedEnd(sql, i, "'", true);
      push('string', end === -1 ? sql.length : end, end === -1 ? { unterminated: true } : {});
    } else if (/[A-Za-z]/.test(ch) && next === "'" && /^[rRxXeEbBuU]$/.test(ch) && !isWordChar(sql[i - 1])) {
      const end = quotedEnd(sql, i + 1, "'", ch.toLowerCase() !== 'r');
      push('string', end === -1 ? sql.length : end, { prefix: ch.toLowerCase(), ...(end === -1 ? { unterminated: true } : {}) });
    } else if (ch === '"' || ch === '`') {
      const end = quotedEnd(sql, i, ch, false);
      push(ch === '"' ? 'dquote' : 'backtick', end === -1 ? sql.length : end, end === -1 ? { unterminated: true } : {});
    } else if (ch === '$' && next === '{') {
      const end = sql.indexOf('}', i);
      push('placeholder', end === -1 ? sql.length : end + 1, end === -1 ? { unterminated: true } : {});
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i))!;
      const suffix = /^[A-Za-z_]\w*/.exec(sql.slice(i + m[0].length))?.[0];
      push('number', i + m[0].length + (suffix?.length ?? 0), suffix ? { suffix } : {});
    } else if (isWordChar(ch)) {
      let end = i;
      while (end < sql.length && isWordChar(sql[end])) end++;
      push('word', end);
    } else if (PUNCTUATION.includes(ch)) {
      push('punct', i + 1);
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i)) ?? (SINGLE_OPERATORS.includes(ch) ? ch : undefined);
      push('operator', i + (op?.length ?? 1));
    }
  }
  return { tokens, unterminatedComments };
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

/** Index just past the closing quote, or -1. A doubled quote is an escaped quote; a backslash escapes if allowed. */
function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let k = start + 1;
  while (k < sql.length) {
    if (backslashEscapes && sql[k] === '\\') {
      k += 2;
    } else if (sql[k] === quote) {
      if (sql[k + 1] === quote) k += 2;
      else return k + 1;
    } else {
      k++;
    }
  }
  return -1;
}

/** Index just past the end of a block comment (nested comments allowed, as in Databricks SQL), or -1. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let k = start;
  while (k < sql.length) {
    if (sql.startsWith('/*', k)) {
      depth++;
      k += 2;
    } else if (sql.startsWith('*/', k)) {
      depth--;
      k += 2;
      if (depth === 0) return k;
    } else {
      k++;
    }
  }
  return -1;
}

/** The string literal's content without quotes (doubled quotes undone); for checks on the literal's text. */
export function stringContent(token: SqlToken): string {
  const body = token.prefix ? token.text.slice(1) : token.text;
  return body.slice(1, token.unterminated ? undefined : -1).replace(/''/g, "'");
}
