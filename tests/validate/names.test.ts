// The name rules, one function per kind of name: what each accepts and how it explains a refusal.
import { describe, expect, it } from 'vitest';
import {
  columnNameProblem,
  configTextProblem,
  controlCharacterProblem,
  displayNameProblem,
  expectationNameProblem,
  identifierProblem,
  jobParameterNameProblem,
  pathSegmentProblem,
  resourceKeyProblem,
  substitutedTextProblem,
  tableNameProblem,
  taskKeyProblem,
  variableNameProblem,
  widgetNameProblem,
} from '../../src/validate/names.ts';

describe('name rules', () => {
  it('accept plain names', () => {
    expect(identifierProblem('sales_stream')).toBeUndefined();
    expect(tableNameProblem('silver.sales_stream')).toBeUndefined();
    expect(columnNameProblem('unit_price')).toBeUndefined();
    expect(taskKeyProblem('gpt_summary-2')).toBeUndefined();
    expect(expectationNameProblem('positive_quantity')).toBeUndefined();
    expect(resourceKeyProblem('unified-workflow')).toBeUndefined();
    expect(pathSegmentProblem('sales_lakehouse')).toBeUndefined();
    expect(displayNameProblem('[dev me] Sales – 2024 ✓')).toBeUndefined();
    expect(displayNameProblem('Sales ${var.env}')).toBeUndefined();
    expect(jobParameterNameProblem('run.date-1')).toBeUndefined();
    expect(variableNameProblem('warehouse_id')).toBeUndefined();
    expect(widgetNameProblem('catalog')).toBeUndefined();
    expect(substitutedTextProblem('Cleansed sales.\nOne row per sale.')).toBeUndefined();
  });

  it('explain names Databricks rejects', () => {
    expect(identifierProblem('has space')).toMatch(/space/);
    expect(identifierProblem('x'.repeat(256))).toMatch(/255/);
    expect(tableNameProblem('sales')).toMatch(/<schema>\.<table>/);
    expect(tableNameProblem('a.b.c')).toMatch(/3 parts/);
    expect(columnNameProblem('unit price')).toMatch(/space/);
    expect(columnNameProblem('a=b')).toMatch(/"="/);
    expect(columnNameProblem('__raw_0')).toMatch(/reserves/);
    expect(columnNameProblem('nul\u0000')).toMatch(/NUL/);
    expect(taskKeyProblem('has space')).toMatch(/letters, digits/);
    expect(taskKeyProblem('k'.repeat(101))).toMatch(/100/);
    expect(taskKeyProblem('')).toMatch(/empty/);
    expect(expectationNameProblem('valid_${spark.x}')).toMatch(/letters, digits/);
    expect(jobParameterNameProblem('')).toMatch(/empty/);
    expect(jobParameterNameProblem('a b')).toMatch(/letters, digits/);
  });

  it('refuse ${ where Databricks substitutes configuration, and bad bundle references in YAML', () => {
    expect(substitutedTextProblem('cost in ${currency}')).toMatch(/replaces with a configuration value/);
    expect(configTextProblem('Sales ${spark.conf.x}')).toMatch(/would substitute as a bundle reference/);
    expect(configTextProblem('price ${')).toMatch(/bundle reference/);
    expect(configTextProblem('${var.ok} and ${resources.jobs.j.id}')).toBeUndefined();
    expect(displayNameProblem('pipe ${foo}')).toMatch(/bundle reference/);
  });

  it('refuse NUL, control characters and line breaks in names, allowing line breaks in text', () => {
    expect(controlCharacterProblem('a\u0000b')).toBe('contains a NUL character');
    expect(controlCharacterProblem('a\nb')).toBe('contains a line break');
    expect(controlCharacterProblem('a\nb\tc', { allowLineBreaks: true })).toBeUndefined();
    expect(controlCharacterProblem('bell\u0007')).toMatch(/U\+0007/);
    expect(controlCharacterProblem('c1\u0085')).toMatch(/U\+0085/);
    expect(controlCharacterProblem('ls\u2028')).toMatch(/U\+2028/);
    expect(controlCharacterProblem('lone \ud800')).toMatch(/lone surrogate/);
    expect(controlCharacterProblem('emoji 😀')).toBeUndefined();
    expect(displayNameProblem('pipeline\nname')).toMatch(/line break/);
    expect(substitutedTextProblem('nul\u0000')).toMatch(/NUL/);
  });

  it('refuse names that would become several path segments, or none, or too long a file name', () => {
    expect(pathSegmentProblem('..')).toMatch(/"\." or "\.\."/);
    expect(pathSegmentProblem('.')).toMatch(/"\." or "\.\."/);
    expect(pathSegmentProblem('a/b')).toMatch(/"\/"/);
    expect(pathSegmentProblem('a\\b')).toMatch(/"\\"/);
    expect(pathSegmentProblem('')).toMatch(/empty/);
    expect(pathSegmentProblem('   ')).toMatch(/empty/);
    expect(pathSegmentProblem('x'.repeat(250), '.lvdash.json')).toMatch(/at most 243/);
    expect(pathSegmentProblem('é'.repeat(128))).toMatch(/256 bytes/);
    expect(displayNameProblem('')).toMatch(/empty/);
    expect(displayNameProblem('x'.repeat(4097))).toMatch(/4096/);
  });

  it('refuse resource keys and variable names that a ${...} reference cannot name', () => {
    expect(resourceKeyProblem('1job')).toMatch(/starting with a letter/);
    expect(resourceKeyProblem('job-')).toMatch(/joined by/);
    expect(variableNameProblem('2x')).toMatch(/\$\{var/);
  });
});
