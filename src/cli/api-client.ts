/**
 * The admin API's client for `vigil` commands that change state: they call the API with the token
 * in `VIGIL_TOKEN`, at `VIGIL_API_URL` (default http://VIGIL_HTTP_HOST:VIGIL_HTTP_PORT, i.e.
 * http://127.0.0.1:8787). An API error becomes one VigilError line with the server's code, e.g.
 *
 *   PUT /v1/models/credit-risk/config: 403 needs role operator or admin for model "credit-risk" (vic has viewer)
 *
 * The token is sent only in the Authorization header and never appears in a message.
 */
import { ERROR_CODES, VigilError, describeError, type ErrorCode } from '../errors.js';

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export function apiClientOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ApiClientOptions {
  const host = env['VIGIL_HTTP_HOST'] ?? '127.0.0.1';
  const port = env['VIGIL_HTTP_PORT'] ?? '8787';
  const baseUrl = (env['VIGIL_API_URL'] ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch (cause) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `VIGIL_API_URL=${JSON.stringify(baseUrl)} is not an http(s) URL`, { cause, details: { variable: 'VIGIL_API_URL' } });
  }
  const token = env['VIGIL_TOKEN'];
  return { baseUrl, ...(token !== undefined && token.length > 0 ? { token } : {}) };
}

interface ErrorBody {
  error?: unknown;
  message?: unknown;
  missingRoles?: unknown;
  retryAfterSec?: unknown;
}

export class ApiClient {
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.#options = options;
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Calls the API; resolves with the parsed JSON body of a 2xx answer, throws one clear VigilError otherwise. */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const token = this.#options.token;
    const what = `${method} ${path}`;
    if (token === undefined) {
      throw new VigilError('VIGIL_AUTH_REQUIRED', `${what}: no credentials; set VIGIL_TOKEN to an API token (vigil token create) or an OIDC access token`);
    }
    const doFetch = this.#options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(`${this.#options.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new VigilError('VIGIL_API_UNAVAILABLE', `${what}: cannot reach the admin API at ${this.#options.baseUrl}: ${describeError(error)}`, { cause: error });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length === 0 ? null : JSON.parse(text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      parsed = undefined;
    }
    if (response.ok) {
      if (parsed === undefined) throw new VigilError('VIGIL_API_UNAVAILABLE', `${what}: ${response.status} with a body that is not JSON`);
      return parsed as T;
    }
    throw apiError(what, response.status, parsed as ErrorBody | undefined, response.headers.get('retry-after'));
  }
}

function apiError(what: string, status: number, body: ErrorBody | undefined, retryAfter: string | null): VigilError {
  const serverCode = typeof body?.error === 'string' && Object.hasOwn(ERROR_CODES, body.error) ? (body.error as ErrorCode) : undefined;
  const code: ErrorCode = serverCode ?? (status >= 500 ? 'VIGIL_API_UNAVAILABLE' : status === 404 ? 'VIGIL_NOT_FOUND' : status === 401 ? 'VIGIL_AUTH_INVALID' : status === 403 ? 'VIGIL_FORBIDDEN' : 'VIGIL_INPUT_INVALID');
  let message = typeof body?.message === 'string' ? body.message : `the API answered ${status}`;
  message = message.replace(/[\r\n]+/g, ' ').slice(0, 500);
  if (status === 429 && retryAfter !== null && /^\d+$/.test(retryAfter) && !/retry|locked/.test(message)) message += `; retry after ${retryAfter} s`;
  const roles = Array.isArray(body?.missingRoles) ? body.missingRoles.filter((r): r is string => typeof r === 'string') : [];
  if (status === 403 && roles.length > 0 && !message.includes('needs role')) message += ` (needs role ${roles.join(' or ')})`;
  return new VigilError(code, `${what}: ${status} ${message}`, { details: { status }, ...(code === 'VIGIL_RATE_LIMITED' || code === 'VIGIL_API_UNAVAILABLE' ? { retriable: true } : {}) });
}
