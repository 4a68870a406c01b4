// ~/.databrickscfg: locating and reading it (the only I/O of auth resolution) and parsing its INI text.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ConfigFile {
  path: string;
  text: string;
}

/** The home directory as the given environment has it (HOME, USERPROFILE on Windows), as Go's os.UserHomeDir. */
export function homeOf(env: Record<string, string | undefined>): string {
  const fromEnv = process.platform === 'win32' ? env.USERPROFILE : env.HOME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : homedir();
}

/** The config file path: DATABRICKS_CONFIG_FILE (with `~` expanded) or ~/.databrickscfg. */
export function configFilePath(env: Record<string, string | undefined>, home: string = homeOf(env)): string {
  const configured = env.DATABRICKS_CONFIG_FILE;
  if (configured === undefined || configured === '') return join(home, '.databrickscfg');
  return configured.startsWith('~') ? join(home, configured.slice(1)) : configured;
}

/** Reads the config file if it exists; undefined when it does not. */
export function readConfigFile(env: Record<string, string | undefined>, home?: string): ConfigFile | undefined {
  const path = configFilePath(env, home);
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Parses INI text into sections of key → value. Keys are lower-cased and trimmed; `;` and `#` start a comment
 * at the beginning of a line, or mid-line after whitespace (as in the `default_profile = prod ; note` example).
 * Values of the same section merge; sections are not merged with DEFAULT (the SDKs don't either).
 */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      const name = header[1].trim();
      current = sections.get(name) ?? {};
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || current === undefined) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line
      .slice(eq + 1)
      .replace(/\s[;#].*$/, '')
      .trim();
    current[key] = value;
  }
  return sections;
}
