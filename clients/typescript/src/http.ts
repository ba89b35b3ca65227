// A typed fetch wrapper for the HTTP starter; every type comes from the OpenAPI document
// (src/openapi.ts is generated from it, and `npm test` fails when it is out of date).
import type { components, operations } from './openapi.js';

export type ActivationBody = components['schemas']['ActivationBody'];
export type ApiErrorBody = components['schemas']['Error'];
export type ErrorCode = ApiErrorBody['code'];
type ActivateResponses = operations['activateExperiment']['responses'];
export type ActivatedBody = ActivateResponses[200]['content']['application/json'];
export type ActivationRun = components['schemas']['ActivationRun'];
export type HistoryPage = components['schemas']['HistoryPage'];

/** 200 with the row, or the contract's error body (202 IN_PROGRESS included) with its status. */
export type ActivateAnswer =
  | { status: 200; body: ActivatedBody }
  | { status: Exclude<keyof ActivateResponses, 200>; body: ApiErrorBody };

export interface StarterOptions {
  baseUrl: string;
  /** A JWT whose subject becomes `requestedBy`; omit when the starter runs with AUTH_MODE=none. */
  token?: string;
  fetch?: typeof fetch;
}

export class StarterClient {
  private readonly baseUrl: string;
  private readonly token?: string;
  private readonly fetcher: typeof fetch;

  constructor(options: StarterOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.fetcher = options.fetch ?? fetch;
  }

  /** POST /api/nous/ab-testing/experiments/activate: start or join, wait up to the budget. */
  async activate(experimentId: string): Promise<ActivateAnswer> {
    const body: ActivationBody = { experimentId };
    const response = await this.request('/api/nous/ab-testing/experiments/activate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() } as ActivateAnswer;
  }

  /** GET .../activations/{experimentId}: the latest run (what to poll after a 202). */
  async activation(experimentId: string): Promise<ActivationRun | ApiErrorBody> {
    const response = await this.request(
      `/api/nous/ab-testing/experiments/activations/${encodeURIComponent(experimentId)}`,
    );
    const json = await response.json();
    return response.ok ? json.data : json;
  }

  /** GET .../activations?experimentId=: the audit history, newest first. */
  async history(experimentId: string, limit?: number, cursor?: string): Promise<HistoryPage | ApiErrorBody> {
    const query = new URLSearchParams({ experimentId });
    if (limit !== undefined) query.set('limit', String(limit));
    if (cursor !== undefined) query.set('cursor', cursor);
    const response = await this.request(`/api/nous/ab-testing/experiments/activations?${query}`);
    const json = await response.json();
    return response.ok ? json.data : json;
  }

  private request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('Authorization', `Bearer ${this.token}`);
    return this.fetcher(`${this.baseUrl}${path}`, { ...init, headers });
  }
}
