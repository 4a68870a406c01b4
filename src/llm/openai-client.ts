// One chat completion through the `openai` package, with a timeout, bounded retries (the SDK's own, which honour
// Retry-After) and errors rewritten into our typed errors without the key or the provider's raw text about it.
// The SDK is loaded when a completion is asked for, so bundles that import this stay quick to load.
import type OpenAIType from 'openai';
import type { EventSink } from '../events/types.ts';
import { RemoteApiError, UserError } from '../errors/index.ts';
import { redact, registerSecret } from '../redaction/index.ts';
import { redactSecrets } from './redact.ts';

export interface LlmConfig {
  apiKey: string;
  /** Already checked by checkLlmBaseUrl. */
  baseURL: string;
  model: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Retries after the first attempt, for 408/409/429/5xx and connection errors. */
  maxRetries: number;
}

export interface Completion {
  text: string;
  /** The model the server says answered (it may pin a dated version of the requested one). */
  model: string;
  attempts: number;
}

const PATH = '/chat/completions';

type OpenAIClass = typeof OpenAIType;

export async function completeChat(prompt: string, config: LlmConfig, events: EventSink): Promise<Completion> {
  registerSecret(config.apiKey);
  const { default: OpenAI } = await import('openai');
  let attempts = 0;
  // Counts attempts and reports each status; only the method, path and status are emitted, never headers.
  const countingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    attempts += 1;
    const attempt = attempts;
    try {
      const response = await fetch(input, init);
      events({
        code: 'log',
        level: 'debug',
        message: `OpenAI POST ${PATH} attempt ${attempt}: HTTP ${response.status}`,
        data: { attempt, status: response.status },
      });
      return response;
    } catch (error) {
      events({
        code: 'log',
        level: 'debug',
        message: `OpenAI POST ${PATH} attempt ${attempt}: no response`,
        data: { attempt },
      });
      throw error;
    }
  };

  const client = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    fetch: countingFetch,
    // The engine never prints; the SDK would otherwise log to the console (and honour OPENAI_LOG).
    logLevel: 'off',
    // Ignore OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment: only what we were given is sent.
    organization: null,
    project: null,
  });

  let completion: OpenAIType.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create({
      model: config.model,
      messages: [{ role: 'user', content: prompt }],
    });
  } catch (error) {
    throw toTypedError(OpenAI, error, config, attempts);
  }
  // A model can be talked into quoting a secret: its answer is scrubbed before anything stores or shows it.
  const text = redact(completion.choices[0]?.message.content?.trim() ?? '');
  if (text === '') {
    throw new RemoteApiError(`OpenAI returned no text (model ${config.model})`, {
      method: 'POST',
      path: PATH,
    });
  }
  return { text, model: completion.model || config.model, attempts };
}

function toTypedError(OpenAI: OpenAIClass, error: unknown, config: LlmConfig, attempts: number): Error {
  const host = new URL(config.baseURL).host;
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new RemoteApiError(`OpenAI request to ${host} timed out after ${config.timeoutMs} ms (${tries})`, {
      method: 'POST',
      path: PATH,
    });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new RemoteApiError(`Could not reach the OpenAI API at ${host} (${tries})`, { method: 'POST', path: PATH });
  }
  if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError) {
    // The provider's message may quote part of the key, so it is not passed on.
    return new UserError(
      `OpenAI rejected the API key (HTTP ${error.status})`,
      'Check OPENAI_API_KEY or the secret that holds the key.',
    );
  }
  if (error instanceof OpenAI.APIError) {
    const details = {
      status: error.status,
      error_code: error.code ?? error.type ?? undefined,
      method: 'POST',
      path: PATH,
      request_id: error.requestID ?? undefined,
    };
    const what = error.status === 429 ? 'rate limit persisted' : 'request failed';
    const reason = providerMessage(error, config.apiKey);
    return new RemoteApiError(
      `OpenAI ${what} (HTTP ${error.status ?? 'error'}, ${tries})${reason ? `: ${reason}` : ''}`,
      details,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`OpenAI call failed: ${redactSecrets(message, [config.apiKey])}`);
}

/** The provider's explanation, redacted and kept short. */
function providerMessage(error: InstanceType<OpenAIClass['APIError']>, apiKey: string): string {
  const body = error.error as { message?: unknown } | undefined;
  const raw = typeof body?.message === 'string' ? body.message : '';
  const text = redactSecrets(raw, [apiKey]).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
