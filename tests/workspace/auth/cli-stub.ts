// A stand-in `databricks` executable for tests: a tiny shell script that logs its arguments and answers
// `version --output json` and `auth token ...` from files the test writes next to it.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `#!/bin/sh
dir=$(dirname "$0")
printf '%s\\n' "$*" >> "$dir/calls.log"
if [ "$1" = "version" ]; then
  if [ -f "$dir/version.json" ]; then cat "$dir/version.json"; exit 0; fi
  echo "Error: unknown command \\"version\\"" >&2; exit 1
fi
if [ -f "$dir/error.txt" ]; then cat "$dir/error.txt" >&2; exit 1; fi
cat "$dir/token.json"
`;

export interface CliStub {
  /** The folder holding `databricks`: put it on PATH. */
  dir: string;
  /** Each call's arguments, in order. */
  calls(): Promise<string[]>;
  /** What `auth token` prints next. */
  answer(token: string, expiresAt: number, type?: string): Promise<void>;
  /** Make `auth token` fail with this message on stderr (null: succeed again). */
  fail(stderr: string | null): Promise<void>;
  remove(): Promise<void>;
}

export async function databricksStub(version: [number, number, number] | null = [0, 296, 0]): Promise<CliStub> {
  const dir = await mkdtemp(join(tmpdir(), 'dbx-cli-stub-'));
  await writeFile(join(dir, 'databricks'), SCRIPT);
  await chmod(join(dir, 'databricks'), 0o755);
  if (version !== null) await writeFile(join(dir, 'version.json'), JSON.stringify({ Major: version[0], Minor: version[1], Patch: version[2], Version: version.join('.') }));
  return {
    dir,
    calls: async () =>
      (await readFile(join(dir, 'calls.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== ''),
    answer: (token, expiresAt, type = 'Bearer') =>
      writeFile(join(dir, 'token.json'), JSON.stringify({ access_token: token, token_type: type, expiry: new Date(expiresAt).toISOString() }, null, 2)),
    fail: async (stderr) => {
      if (stderr === null) await rm(join(dir, 'error.txt'), { force: true });
      else await writeFile(join(dir, 'error.txt'), stderr);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
