// A thin, careful LLM client for bundles' local notebook implementations: one chat completion through the
// `openai` package (https only, bounded retries, typed errors, keys never in messages).
export { completeChat, type Completion, type LlmConfig } from './openai-client.ts';
export { DEFAULT_LLM_MAX_RETRIES, DEFAULT_LLM_TIMEOUT_MS, resolveLlmConfig, type LlmOptions } from './config.ts';
export { checkLlmBaseUrl, DEFAULT_OPENAI_BASE_URL, isLoopbackHost } from './endpoint.ts';
export { REDACTED, redactSecrets } from './redact.ts';
