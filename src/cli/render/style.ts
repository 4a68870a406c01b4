// Colours for people, through picocolors: on a terminal unless NO_COLOR says no, off in pipes and files unless
// FORCE_COLOR says yes (https://no-color.org, and FORCE_COLOR as Node and most tools read it).
import picocolors from 'picocolors';

export type Style = ReturnType<typeof picocolors.createColors>;

/** Whether to colour output that goes to a stream that is (or is not) a terminal. */
export function colourEnabled(env: Record<string, string | undefined>, isTTY: boolean | undefined): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY === true && env['TERM'] !== 'dumb';
}

export function makeStyle(enabled: boolean): Style {
  return picocolors.createColors(enabled);
}

const STATE_COLOURS: [RegExp, keyof Pick<Style, 'green' | 'red' | 'yellow' | 'cyan'>][] = [
  [/\b(SUCCESS|COMPLETED|SUCCEEDED)\b/g, 'green'],
  [/\b(FAILED|INTERNAL_ERROR|UPSTREAM_FAILED|TIMEDOUT|TIMED_OUT)\b/g, 'red'],
  [/\b(CANCELED|CANCELLED|SKIPPED|EXCLUDED|UPSTREAM_CANCELED)\b/g, 'yellow'],
  [/\b(RUNNING|PENDING|QUEUED|BLOCKED|WAITING_FOR_RETRY|INITIALIZING|SETTING_UP_TABLES)\b/g, 'cyan'],
];

/** Run, task and update states in `text` coloured by what they mean: green done, red failed, yellow stopped. */
export function colourState(style: Style, text: string): string {
  let out = text;
  for (const [pattern, colour] of STATE_COLOURS) out = out.replace(pattern, (word) => style[colour](word));
  return out;
}
