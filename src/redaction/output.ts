// The CLI's stdout and stderr, scrubbed of every registered secret on the way out: printed events, --json
// lines, error messages and help all pass through here.
import { secrets, type SecretRegistry } from './registry.ts';

export interface TextOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** `out` with every write redacted; isTTY and columns read through, as renderers look at them. */
export function redactingOutput<T extends TextOutput>(out: T, registry: SecretRegistry = secrets): T {
  return new Proxy(out, {
    get(target, property, receiver) {
      if (property === 'write') return (text: string) => target.write(registry.redact(String(text)));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
