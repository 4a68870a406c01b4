// Which LLM to call and how: an explicit option wins over the environment (OPENAI_API_KEY, OPENAI_BASE_URL,
// OPENAI_MODEL), which wins over the defaults. No key means no LLM: callers decide what to do without one.
import { checkLlmBaseUrl, DEFAULT_OPENAI_BASE_URL } from './endpoint.ts';
import type { LlmConfig } from './openai-client.ts';

export const DEFAULT_LLM_TIMEOUT_MS = 30_000;
export const DEFAULT_LLM_MAX_RETRIES = 2;

export interface LlmOptions {
  /** API key, e.g. read from a secret scope; wins over OPENAI_API_KEY. */
  apiKey?: string;
  /** OpenAI-compatible base URL; wins over OPENAI_BASE_URL. */
  baseURL?: string;
  /** Wins over OPENAI_MODEL. */
  model?: string;
  /** The model when neither `model` nor OPENAI_MODEL names one. */
  defaultModel: string;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 2. */
  maxRetries?: number;
  /** Where OPENAI_* settings are read from; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The LLM settings, or undefined when no API key is configured. */
export function resolveLlmConfig(options: LlmOptions): LlmConfig | undefined {
  const env = options.env ?? process.env;
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env['OPENAI_API_KEY']);
  if (!apiKey) return undefined;
  return {
    apiKey,
    baseURL: checkLlmBaseUrl(nonEmpty(options.baseURL) ?? nonEmpty(env['OPENAI_BASE_URL']) ?? DEFAULT_OPENAI_BASE_URL),
    model: nonEmpty(options.model) ?? nonEmpty(env['OPENAI_MODEL']) ?? options.defaultModel,
    timeoutMs: options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? DEFAULT_LLM_MAX_RETRIES,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
