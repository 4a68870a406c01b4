// Redaction at the edge: one registry of secret values, scrubbed from everything dbx-ts prints or writes.
export { MIN_SECRET_LENGTH, REDACTED, SecretRegistry, redact, redactDeep, registerSecret, secrets } from './registry.ts';
export { redactingOutput } from './output.ts';
