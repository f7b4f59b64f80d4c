/**
 * How the edge authenticates Bot Framework requests and reaches the connector: botbuilder's
 * configuration-based authentication, with token errors answered as refusals, the connector
 * and user-token clients kept between turns, and every connector client given a deadline per
 * call and no retries of its own (`connector-client.ts`).
 */
import {
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import { LoadingCache } from '../http/loading-cache';
import { configureConnectorClient, type ConnectorClientSettings } from './connector-client';

/** Token-library errors that mean "this token is not acceptable", not "the server failed". */
const TOKEN_REJECTIONS: ReadonlySet<string> = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * Most clients kept. Service URLs are a handful per cloud region; without an app id (local
 * mode) anyone can name one, so the set must not grow with what callers send.
 */
const MAX_CLIENTS = 64;

/** Clients by key, the least recently used dropped first once full; concurrent first turns share one creation. */
class ClientCache<T extends NonNullable<unknown>> {
  // A failed creation is not kept: the next turn tries again.
  private readonly clients = new LoadingCache<string, T>({ max: MAX_CLIENTS, freshnessMs: Infinity });

  async get(key: string, create: () => Promise<T>): Promise<T> {
    return (await this.clients.get(key, { load: create })).value;
  }
}

/** The bot's app id as botbuilder derives it from a request's claims (undefined in local mode). */
function appIdOf(claims: ClaimsIdentity): string {
  return claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claims.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/** A connector factory whose clients come from the shared cache, configured once when created. */
class CachingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly cache: ClientCache<ConnectorClient>,
    private readonly settings: ConnectorClientSettings,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.cache.get(JSON.stringify([this.appId, serviceUrl, audience ?? '']), async () =>
      configureConnectorClient(await this.inner.create(serviceUrl, audience), this.settings),
    );
  }
}

/** Settings of the edge's authentication beyond botbuilder's own. */
export interface EdgeAuthenticationOptions {
  /** Deadline of one connector call (default 5 s). */
  readonly connectorTimeoutMs?: number;
}

/** Default deadline of a connector call: Teams answers in well under a second. */
export const DEFAULT_CONNECTOR_TIMEOUT_MS = 5_000;

/**
 * botbuilder's configuration-based authentication, with two changes:
 *
 * - Some token errors (a bad signature, a token not yet valid) escape botbuilder as plain
 *   errors, which CloudAdapter answers with 500 and the reason; they are refusals: 401, no detail.
 * - CloudAdapter builds a new ConnectorClient and UserTokenClient (each with its own HTTP
 *   pipeline) for every activity, even an invoke answered in the HTTP response: about a
 *   quarter of an echo turn's CPU. Their credentials depend only on the app id and the
 *   audience, and their token caches gain from living longer, so they are kept per app id,
 *   service URL and audience, as BotFrameworkAdapter used to keep its connector clients.
 *   Proactive sends (createConnectorFactory) share them.
 * - Every connector client gets a deadline per call and loses botbuilder's retry policy.
 */
export class EdgeBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new ClientCache<ConnectorClient>();
  private readonly userTokens = new ClientCache<UserTokenClient>();
  private readonly connectorSettings: ConnectorClientSettings;

  constructor(settings: ConfigurationBotFrameworkAuthenticationOptions, options: EdgeAuthenticationOptions = {}) {
    super(settings);
    this.connectorSettings = { timeoutMs: options.connectorTimeoutMs ?? DEFAULT_CONNECTOR_TIMEOUT_MS };
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    let result: AuthenticateRequestResult;
    try {
      result = await super.authenticateRequest(activity, authHeader);
    } catch (error) {
      if (error instanceof Error && TOKEN_REJECTIONS.has(error.name)) throw new AuthenticationError('Unauthorized', 401);
      throw error;
    }
    const factory = result.connectorFactory;
    return factory
      ? { ...result, connectorFactory: new CachingConnectorFactory(factory, appIdOf(result.claimsIdentity), this.connectors, this.connectorSettings) }
      : result;
  }

  /** The factory of proactive sends (`continueConversationAsync`): the same configured, shared clients. */
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new CachingConnectorFactory(super.createConnectorFactory(claimsIdentity), appIdOf(claimsIdentity), this.connectors, this.connectorSettings);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokens.get(appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }
}
