// Notebook formats for workspace import and export: Databricks keeps a notebook as source cells (separated by
// `COMMAND ----------` lines, markdown as `MAGIC %md` lines) and converts to and from Jupyter on the way in
// and out.
import { notebookHeader } from '../model/notebook-files.ts';
import type { NotebookLanguage } from './state.ts';

const COMMENT: Record<NotebookLanguage, string> = { PYTHON: '#', SQL: '--', SCALA: '//', R: '#' };
const KERNEL: Record<NotebookLanguage, string> = { PYTHON: 'python', SQL: 'sql', SCALA: 'scala', R: 'r' };

export { notebookHeader };

interface Cell {
  kind: 'code' | 'markdown';
  lines: string[];
}

/** Splits a source notebook into cells (without the header line and separators). */
function sourceCells(text: string, language: NotebookLanguage): Cell[] {
  const c = COMMENT[language];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[0]?.trim() === notebookHeader(language)) lines.shift();
  const cells: Cell[] = [];
  let current: string[] = [];
  const flush = () => {
    while (current.length > 0 && current[0]!.trim() === '') current.shift();
    while (current.length > 0 && current[current.length - 1]!.trim() === '') current.pop();
    if (current.length === 0) return;
    const magic = `${c} MAGIC`;
    if (current.every((l) => l.startsWith(magic))) {
      const body = current.map((l) => l.slice(magic.length).replace(/^ /, ''));
      if (body[0]?.startsWith('%md')) {
        body[0] = body[0].slice(3).replace(/^ /, '');
        cells.push({ kind: 'markdown', lines: body[0] === '' ? body.slice(1) : body });
      } else cells.push({ kind: 'code', lines: body });
    } else cells.push({ kind: 'code', lines: current });
    current = [];
  };
  for (const line of lines) {
    if (line.trim() === `${c} COMMAND ----------`) flush();
    else current.push(line);
  }
  flush();
  return cells;
}

const withNewlines = (lines: string[]) => lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));

/** A source notebook as an .ipynb document (nbformat 4). */
export function sourceToJupyter(text: string, language: NotebookLanguage, name: string): string {
  const cells = sourceCells(text, language).map((cell) =>
    cell.kind === 'markdown'
      ? { cell_type: 'markdown', metadata: {}, source: withNewlines(cell.lines) }
      : { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: withNewlines(cell.lines) },
  );
  const notebook = {
    cells,
    metadata: { 'application/vnd.databricks.v1+notebook': { language: KERNEL[language], notebookName: name }, language_info: { name: KERNEL[language] } },
    nbformat: 4,
    nbformat_minor: 0,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}

/** An .ipynb document as a source notebook; throws on a document that is not a notebook. */
export function jupyterToSource(ipynb: string, language: NotebookLanguage = 'PYTHON'): string {
  const doc = JSON.parse(ipynb) as { cells?: { cell_type?: string; source?: string | string[] }[] };
  if (!Array.isArray(doc.cells)) throw new Error('not a Jupyter notebook (no cells)');
  const c = COMMENT[language];
  const blocks = doc.cells.map((cell) => {
    const text = Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '');
    if (cell.cell_type === 'markdown') return text.split('\n').map((l, i) => `${c} MAGIC ${i === 0 ? `%md ${l}` : l}`.trimEnd()).join('\n');
    return text;
  });
  return `${notebookHeader(language)}\n${blocks.join(`\n\n${c} COMMAND ----------\n\n`)}\n`;
}
