/**
 * The Teams edge, assembled: Bot Framework authentication, the CloudAdapter, bot state over
 * our database, the tenant allow-list and the error boundary. The only place (with `src/bot/`)
 * that knows botbuilder: moving to the Agents SDK means replacing this folder.
 */
import {
  CloudAdapter,
  ConversationState,
  UserState,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type Request,
  type Response,
} from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { CardRenderer } from '../cards';
import type { Config } from '../config';
import type { Localizer } from '../i18n';
import type { Logger } from '../log';
import type { ConversationStore } from '../store/queues';
import type { DocumentStore } from '../store/types';
import type { Clock } from '../domain/clock';
import { conversationReferences } from './conversation-refs';
import { retryingSends } from './send-retry';
import { EscalationDeskBot, type Handler, type SearchHandler } from './bot';
import type { CommandName } from './commands';
import type { Dataset, Verb } from '../cards/verbs';
import { checkActivity } from './activity-gate';
import { channelRefusal, type GatedActivity } from './channel-gate';
import { EdgeBotFrameworkAuthentication } from './authentication';
import { DocumentBotStorage } from './state-storage';
import { tenantAllowList, tenantPolicy } from './tenant-filter';
import { createTurnErrorHandler } from './turn-error';

/** Dependencies of the Teams edge. */
export interface TeamsEdgeOptions {
  readonly config: Pick<Config, 'bot' | 'endpoints' | 'allowedTenants' | 'allowAnyTenant' | 'partnerTenantId' | 'connector'>;
  readonly documents: DocumentStore;
  readonly conversations: ConversationStore;
  readonly clock: Clock;
  readonly cards: CardRenderer;
  readonly localizer: Localizer;
  readonly logger: Logger;
  readonly commands?: Partial<Record<CommandName, Handler>>;
  readonly verbs?: Partial<Record<Verb, Handler>>;
  /** Typeahead handlers, by dataset. */
  readonly searches?: Partial<Record<Dataset, SearchHandler>>;
}

/** The assembled edge: the HTTP entry point for `/api/messages` and the parts tests reach into. */
export interface TeamsEdge {
  /** Processes one POST to the messaging endpoint (authentication included). */
  process(req: Request, res: Response): Promise<void>;
  readonly adapter: CloudAdapter;
  readonly bot: EscalationDeskBot;
  readonly conversationState: ConversationState;
  readonly userState: UserState;
}

/** botbuilder's authentication settings for our configuration (cloud endpoints included). */
export function botFrameworkAuthSettings(
  config: Pick<Config, 'bot' | 'endpoints'>,
): ConfigurationBotFrameworkAuthenticationOptions {
  return {
    MicrosoftAppId: config.bot.appId ?? '',
    MicrosoftAppPassword: config.bot.appPassword ?? '',
    // Without an app id (local mode) botbuilder turns authentication off only through its
    // password path: SingleTenant and UserAssignedMSI refuse an empty id.
    MicrosoftAppType: config.bot.localMode ? 'MultiTenant' : config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId ?? '',
    ...config.endpoints.botFramework,
  };
}

/** Builds the Teams edge. */
export function createTeamsEdge(options: TeamsEdgeOptions): TeamsEdge {
  const auth = new EdgeBotFrameworkAuthentication(botFrameworkAuthSettings(options.config), {
    connectorTimeoutMs: options.config.connector.timeoutMs,
  });
  const adapter = new CloudAdapter(auth);
  const storage = new DocumentBotStorage(options.documents);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);

  adapter.use(tenantAllowList(tenantPolicy(options.config), options.localizer, options.logger));
  adapter.use(conversationReferences(options.conversations, options.clock, options.logger));
  adapter.use(retryingSends());
  adapter.onTurnError = createTurnErrorHandler({
    logger: options.logger,
    conversationState,
    localizer: options.localizer,
  });

  const bot = new EscalationDeskBot({
    cards: options.cards,
    localizer: options.localizer,
    logger: options.logger,
    localMode: options.config.bot.localMode,
    states: [conversationState, userState],
    commands: options.commands,
    verbs: options.verbs,
    searches: options.searches,
  });

  /** Answers a request that gets no turn. */
  const answer = (res: Response, status: number, body: { code: string; message: string }): void => {
    res.status(status);
    res.send(body);
    res.end();
  };

  return {
    process: async (req, res) => {
      const check = checkActivity(req.body);
      if (!check.ok) {
        answer(res, 400, { code: 'BadRequest', message: check.reason });
        return;
      }
      const refusal = channelRefusal(req.body as GatedActivity, { localMode: options.config.bot.localMode });
      if (refusal) {
        // Authenticated first, as every request is: a caller without a valid token learns only 401.
        const authorization = req.headers.authorization ?? req.headers.Authorization;
        try {
          // checkActivity proved the fields authentication reads (channelId, serviceUrl) are there.
          await auth.authenticateRequest(req.body as unknown as Activity, typeof authorization === 'string' ? authorization : '');
        } catch (error) {
          if (!(error instanceof AuthenticationError)) throw error;
          answer(res, 401, { code: 'Unauthorized', message: 'Unauthorized' });
          return;
        }
        options.logger.warn({ code: refusal.code }, 'activity refused before its turn: not a Teams activity of one tenant');
        const locale = (req.body as { locale?: unknown }).locale;
        const message = options.localizer.forLocale(typeof locale === 'string' ? locale : undefined).t(refusal.messageKey);
        answer(res, 403, { code: refusal.code, message });
        return;
      }
      await adapter.process(req, res, (context) => bot.run(context));
    },
    adapter,
    bot,
    conversationState,
    userState,
  };
}
