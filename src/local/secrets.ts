// Local secret scopes: values come from the environment or an untracked file, never from the repository.
//   DBX_TS_SECRET_<SCOPE>__<KEY>   e.g. DBX_TS_SECRET_ADLS_SCOPE__OPEN_AI_API_KEY
//   .dbx-ts/local/secrets.json     { "adls_scope": { "open-ai-api-key": "..." } }
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors/index.ts';
import { registerSecret } from '../redaction/index.ts';

export function secretEnvName(scope: string, key: string): string {
  const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return `DBX_TS_SECRET_${norm(scope)}__${norm(key)}`;
}

export interface LocalSecrets {
  /** The value, or undefined when neither the environment nor the file has it. */
  get(scope: string, key: string): string | undefined;
}

export async function loadLocalSecrets(file: string, env: NodeJS.ProcessEnv): Promise<LocalSecrets> {
  let fromFile: Record<string, Record<string, unknown>> = {};
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    try {
      fromFile = JSON.parse(text) as Record<string, Record<string, unknown>>;
    } catch (error) {
      // The message of a JSON parse error can quote the file's content: keep only the position.
      const where = /position \d+/.exec((error as Error).message)?.[0] ?? 'unknown position';
      throw new UserError(`${file} is not valid JSON (${where}).`, 'Expected { "<scope>": { "<key>": "<value>" } }.');
    }
  }
  // Every value of the file is a secret, used or not: none may reach output, files or tables.
  for (const keys of Object.values(fromFile)) if (keys && typeof keys === 'object') registerSecret(...Object.values(keys));
  return {
    get(scope, key) {
      const fromEnv = env[secretEnvName(scope, key)];
      if (fromEnv) {
        registerSecret(fromEnv);
        return fromEnv;
      }
      const value = fromFile[scope]?.[key];
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    },
  };
}
