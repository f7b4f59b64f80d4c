/**
 * What every Bot Framework connector client the edge creates gets, in-turn and proactive:
 *
 * - a deadline per call (sign-in, request, answer and body): a connector that accepts the
 *   connection and never answers must not hold a turn or a notification lane for good. Teams
 *   answers in well under a second; the default deadline is a few seconds.
 * - no retries of its own. botbuilder's client (botframework-connector 4.23 over
 *   @azure/core-client) builds its pipeline with @azure/core-rest-pipeline's
 *   `defaultRetryPolicy` in the "Retry" phase: 429 after Retry-After, 5xx and network errors
 *   up to 3 more times with exponential backoff. Retries belong to one place per path: the
 *   edge's reply retry (`send-retry.ts`) within a turn, the outbox worker for proactive sends.
 *   Each retry there is then one HTTP request the caller sees and counts.
 *
 * The client's pipeline is shared by every call through that client, so this is done once,
 * when the client is created (see `authentication.ts`).
 */
import { untilAborted } from '../limits/deadline';

/** The policy name, so configuring a client twice changes nothing. */
const TIMEOUT_POLICY = 'escalationDeskConnectorTimeout';

/** A call to the connector got no complete answer within the deadline: it may or may not have arrived. */
export class ConnectorTimeoutError extends Error {
  override readonly name = 'ConnectorTimeoutError';
  readonly code = 'ConnectorTimeout';
  constructor(readonly timeoutMs: number) {
    super(`The Bot Framework connector did not answer within ${timeoutMs} ms.`);
  }
}

/** The parts of @azure/core-rest-pipeline's request a policy touches. */
interface PipelineRequestShape {
  abortSignal?: AbortSignal;
}

/** A pipeline policy, structurally (the package is botbuilder's dependency, not ours). */
interface PipelinePolicyShape {
  readonly name: string;
  sendRequest(request: PipelineRequestShape, next: (request: PipelineRequestShape) => Promise<unknown>): Promise<unknown>;
}

/** The pipeline of a core-client ServiceClient, structurally. */
interface PipelineShape {
  addPolicy(policy: PipelinePolicyShape, options?: { phase?: 'Serialize' | 'Deserialize' | 'Retry' | 'Sign' }): void;
  removePolicy(options: { name?: string; phase?: 'Serialize' | 'Deserialize' | 'Retry' | 'Sign' }): unknown;
  getOrderedPolicies(): ReadonlyArray<{ readonly name: string }>;
}

/** A botframework-connector client: its core-client ServiceClient is `client`. */
interface ConnectorClientShape {
  readonly client?: { readonly pipeline?: PipelineShape };
}

/** Settings of the edge's connector clients. */
export interface ConnectorClientSettings {
  /** Deadline of one connector call, sign-in included. */
  readonly timeoutMs: number;
}

/**
 * Removes the client's own retries and adds the deadline. Returns the client. Throws when the
 * client has no pipeline where botbuilder 4.23 keeps it: running without the deadline would
 * bring the hang back unnoticed after an upgrade.
 */
export function configureConnectorClient<T>(client: T, settings: ConnectorClientSettings): T {
  const pipeline = (client as ConnectorClientShape).client?.pipeline;
  if (!pipeline || typeof pipeline.addPolicy !== 'function' || typeof pipeline.removePolicy !== 'function') {
    throw new Error('The Bot Framework connector client has no HTTP pipeline to configure (botbuilder changed?)');
  }
  pipeline.removePolicy({ phase: 'Retry' });
  if (!pipeline.getOrderedPolicies().some((p) => p.name === TIMEOUT_POLICY)) {
    // In the first phase, so the deadline covers signing (a token request), redirects and reading the body.
    pipeline.addPolicy(timeoutPolicy(settings.timeoutMs), { phase: 'Serialize' });
  }
  return client;
}

function timeoutPolicy(timeoutMs: number): PipelinePolicyShape {
  return {
    name: TIMEOUT_POLICY,
    sendRequest(request, next) {
      const deadline = AbortSignal.timeout(timeoutMs);
      // Aborting cancels the HTTP request, so the socket of a connector that never answers is closed.
      request.abortSignal = request.abortSignal ? AbortSignal.any([request.abortSignal, deadline]) : deadline;
      // Signing (a token request) does not heed the signal: the deadline answers without waiting for it.
      return untilAborted(next(request), deadline, () => new ConnectorTimeoutError(timeoutMs));
    },
  };
}
