// Notebook source files as the workspace and the Databricks CLI see them: each language's file extension, and
// the header line that makes a source file a notebook rather than a plain file.
export type NotebookLanguage = 'PYTHON' | 'SQL' | 'SCALA' | 'R';

const COMMENT: Record<NotebookLanguage, string> = { PYTHON: '#', SQL: '--', SCALA: '//', R: '#' };

/** The extension of a notebook exported as SOURCE. */
export const NOTEBOOK_EXTENSION: Record<NotebookLanguage, string> = { PYTHON: '.py', SQL: '.sql', SCALA: '.scala', R: '.r' };

export function notebookHeader(language: NotebookLanguage): string {
  return `${COMMENT[language]} Databricks notebook source`;
}

/** The file's notebook language when its extension names one and its first line is that language's header. */
export function notebookLanguageOf(path: string, text: string): NotebookLanguage | undefined {
  const ext = /\.[^./]+$/.exec(path)?.[0]?.toLowerCase();
  const language = (Object.keys(NOTEBOOK_EXTENSION) as NotebookLanguage[]).find((l) => NOTEBOOK_EXTENSION[l] === ext);
  return language && text.split('\n', 1)[0]!.trim() === notebookHeader(language) ? language : undefined;
}
