// Turns gold metrics into the executive summary row: through OpenAI when a key is configured, otherwise (or when
// asked) with the deterministic offline template.
//
// Failure policy: when a key is configured and the call fails (bad key, rate limit after retries, 5xx, timeout),
// summarize() throws, so a broken key or an outage is never mistaken for a real summary. Callers that prefer a
// summary at any cost (the local demo) pass `fallbackToOffline: true`; the row is then written by the offline
// template, labelled `offline-template`, and a warning event says why.
import {
  completeChat,
  DEFAULT_LLM_MAX_RETRIES,
  DEFAULT_LLM_TIMEOUT_MS,
  redactSecrets,
  resolveLlmConfig as resolveConfig,
  type EventSink,
  type LlmConfig,
} from '../../../src/index.ts';
import type { SalesMetrics } from './metrics.ts';
import { renderSummaryPrompt } from './prompt.ts';
import { OFFLINE_MODEL, offlineSummaryText } from './offline-summary.ts';

export const DEFAULT_SUMMARY_MODEL = 'gpt-4o-mini';
export const DEFAULT_TIMEOUT_MS = DEFAULT_LLM_TIMEOUT_MS;
export const DEFAULT_MAX_RETRIES = DEFAULT_LLM_MAX_RETRIES;

export interface SummaryRow {
  text: string;
  model: string;
  /** ISO 8601, UTC. */
  generated_at: string;
  period_start: string | null;
  period_end: string | null;
  metrics: SalesMetrics;
  prompt_version: string;
}

export interface SummarizeOptions {
  /** API key, e.g. read from the local secret scope; wins over OPENAI_API_KEY. */
  apiKey?: string;
  /** OpenAI-compatible base URL; wins over OPENAI_BASE_URL. */
  baseURL?: string;
  /** Wins over OPENAI_MODEL; default gpt-4o-mini. */
  model?: string;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 2. */
  maxRetries?: number;
  /** Write the offline summary even when a key is configured. */
  offline?: boolean;
  /** On an API error or timeout, write the offline summary instead of throwing. */
  fallbackToOffline?: boolean;
  /** Where OPENAI_* settings are read from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  now?: () => Date;
  events?: EventSink;
}

export async function summarize(metrics: SalesMetrics, options: SummarizeOptions = {}): Promise<SummaryRow> {
  const events = options.events ?? (() => {});
  const prompt = renderSummaryPrompt(metrics);
  const config = options.offline ? undefined : resolveLlmConfig(options);

  let text: string;
  let model: string;
  if (!config) {
    text = offlineSummaryText(metrics);
    model = OFFLINE_MODEL;
  } else {
    try {
      const completion = await completeChat(prompt.text, config, events);
      text = completion.text;
      model = completion.model;
    } catch (error) {
      if (!options.fallbackToOffline) throw error;
      const reason = redactSecrets(error instanceof Error ? error.message : String(error), [config.apiKey]);
      events({
        code: 'log',
        level: 'warn',
        message: `LLM summary failed, using the offline template instead: ${reason}`,
        data: { fallback: OFFLINE_MODEL },
      });
      text = offlineSummaryText(metrics);
      model = OFFLINE_MODEL;
    }
  }

  events({ code: 'summary.text', level: 'info', message: text, data: { model, text } });
  return {
    text,
    model,
    generated_at: (options.now ?? (() => new Date()))().toISOString(),
    period_start: metrics.period_start,
    period_end: metrics.period_end,
    metrics,
    prompt_version: prompt.prompt_version,
  };
}

/** The LLM settings, or undefined when no API key is configured (the offline path). */
export function resolveLlmConfig(options: SummarizeOptions): LlmConfig | undefined {
  return resolveConfig({
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    defaultModel: DEFAULT_SUMMARY_MODEL,
  });
}
