// Caches a bearer token and refreshes it before it expires. Concurrent callers share one in-flight fetch.

export interface ExpiringToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Azure Databricks rejects tokens that expire within 30 s, so the SDKs treat them as stale 40 s early. */
export const EARLY_REFRESH_MS = 40_000;

export class TokenCache {
  private current: ExpiringToken | undefined;
  private inflight: Promise<ExpiringToken> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<ExpiringToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.current !== undefined && this.current.expiresAt - EARLY_REFRESH_MS > this.now()) return this.current.token;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    this.current = await this.inflight;
    return this.current.token;
  }

  invalidate(): void {
    this.current = undefined;
  }

  /** The cached token, if any, for scrubbing error text. */
  peek(): string | undefined {
    return this.current?.token;
  }
}
