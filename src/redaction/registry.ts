// One registry of every secret value this process holds (tokens, client secrets, the OpenAI key, secret values
// read from a local scope or a Key Vault), and one function that scrubs them from text. Whoever learns a secret
// registers it; every edge where text leaves dbx-ts (the CLI's output, files it writes, rows it writes) passes
// through `redact`. A secret is also found in the forms it takes on the way out: JSON-escaped, URL-encoded and
// base64 (an Authorization header, a JSON line of --json).

export const REDACTED = '***';

/** Shorter values are not scrubbed: they would match ordinary words and mangle text. */
export const MIN_SECRET_LENGTH = 6;

/** Environment variables whose values are secrets wherever they are used. */
const SECRET_ENV = /^(DATABRICKS_TOKEN|DATABRICKS_CLIENT_SECRET|DATABRICKS_PASSWORD|ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|OPENAI_API_KEY|DBX_TS_SECRET_.+|.+_(TOKEN|SECRET|PASSWORD|API_KEY))$/;

export class SecretRegistry {
  private readonly values = new Set<string>();
  /** Every form of every secret, longest first so a longer one is replaced before a shorter one inside it. */
  private forms: string[] = [];

  /** Adds secret values; empty, short and non-string values are ignored. */
  register(...values: unknown[]): void {
    let changed = false;
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || this.values.has(value)) continue;
      this.values.add(value);
      changed = true;
    }
    if (changed) this.forms = [...new Set([...this.values].flatMap(encodings))].sort((a, b) => b.length - a.length);
  }

  /** Values of the environment's secret variables (tokens, client secrets, API keys, DBX_TS_SECRET_*). */
  registerEnv(env: Record<string, string | undefined>): void {
    this.register(...Object.entries(env).filter(([name]) => SECRET_ENV.test(name)).map(([, value]) => value));
  }

  get size(): number {
    return this.values.size;
  }

  /** `text` with every registered secret, in any of its forms, replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  }

  /** A deep copy with every string (keys included) redacted; other values as they are. */
  redactDeep<T>(value: T): T {
    if (this.forms.length === 0) return value;
    return walk(value, (s) => this.redact(s)) as T;
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.values.clear();
    this.forms = [];
  }
}

function encodings(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64').replace(/=+$/, '')];
  return forms.filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function walk(value: unknown, redact: (s: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, redact));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), walk(v, redact)]));
  }
  return value;
}

/** The process's registry: the CLI, the HTTP client, the local engine and the LLM client share it. */
export const secrets = new SecretRegistry();

export const registerSecret = (...values: unknown[]): void => secrets.register(...values);
export const redact = (text: string): string => secrets.redact(text);
export const redactDeep = <T>(value: T): T => secrets.redactDeep(value);
