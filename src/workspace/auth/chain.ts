// The default chain's one run-time decision: try the Databricks CLI login at the first request and, when it is
// missing or has no login for this host, use the configured fallback (the Go SDK swallows the CLI's error the same way).
import type { CredentialsProvider, SkippedMethod } from './types.ts';

export function probeFirst(
  probe: CredentialsProvider,
  fallback: CredentialsProvider | undefined,
  /** The error when the probe fails and there is nothing to fall back to. */
  noCredentials: (skipped: SkippedMethod) => Error,
): CredentialsProvider {
  let chosen: CredentialsProvider | undefined;
  let settling: Promise<CredentialsProvider> | undefined;
  const skipped: SkippedMethod[] = [];

  const settle = async (): Promise<CredentialsProvider> => {
    try {
      await probe.headers();
      return probe;
    } catch (error) {
      const miss: SkippedMethod = { auth_type: probe.authType, reason: error instanceof Error ? error.message : String(error) };
      if (fallback === undefined) throw noCredentials(miss);
      skipped.push(miss);
      return fallback;
    }
  };

  return {
    get authType() {
      return (chosen ?? probe).authType;
    },
    async headers() {
      if (chosen === undefined) {
        settling ??= settle().finally(() => {
          settling = undefined;
        });
        chosen = await settling;
      }
      return chosen.headers();
    },
    invalidate() {
      chosen?.invalidate?.();
    },
    knownSecrets: () => [...probe.knownSecrets(), ...(fallback?.knownSecrets() ?? [])],
    skipped: () => [...skipped],
    undecided: () => chosen === undefined,
  };
}
