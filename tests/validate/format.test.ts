import { describe, expect, it } from 'vitest';
import { diagnosticJson, formatDiagnostic, formatDiagnostics, type Diagnostic } from '../../src/validate/index.ts';

const cwd = '/work/repo';
const located: Diagnostic = {
  severity: 'error',
  message: 'Task "b" depends on unknown task "x".',
  path: 'resources.jobs.etl.tasks[1].depends_on[0]',
  location: { file: '/work/repo/bundles/etl/index.ts', line: 42, column: 7 },
};

describe('formatDiagnostic', () => {
  it('prints severity, message, relative file, line and config path', () => {
    expect(formatDiagnostic(located, cwd)).toBe(
      'error: Task "b" depends on unknown task "x".\n  at bundles/etl/index.ts:42 (resources.jobs.etl.tasks[1].depends_on[0])',
    );
  });

  it('falls back to whatever is known', () => {
    expect(formatDiagnostic({ severity: 'warning', message: 'm', path: 'catalog' }, cwd)).toBe('warning: m\n  at catalog');
    expect(formatDiagnostic({ severity: 'warning', message: 'm' }, cwd)).toBe('warning: m');
    expect(formatDiagnostic({ ...located, path: undefined }, '/elsewhere')).toBe(`error: ${located.message}\n  at ../work/repo/bundles/etl/index.ts:42`);
  });

  it('counts errors and warnings after the list', () => {
    const text = formatDiagnostics([located, { severity: 'warning', message: 'w' }], cwd);
    expect(text.split('\n').at(-1)).toBe('1 error, 1 warning');
    expect(formatDiagnostics([], cwd)).toBe('0 errors, 0 warnings');
  });
});

describe('diagnosticJson', () => {
  it('is flat and uses null for what is unknown', () => {
    expect(diagnosticJson(located, cwd)).toEqual({
      severity: 'error',
      message: located.message,
      path: 'resources.jobs.etl.tasks[1].depends_on[0]',
      file: 'bundles/etl/index.ts',
      line: 42,
      column: 7,
    });
    expect(diagnosticJson({ severity: 'warning', message: 'm' }, cwd)).toEqual({ severity: 'warning', message: 'm', path: null, file: null, line: null, column: null });
  });
});
