/**
 * The one error boundary of a turn: log with a correlation id (never the message text),
 * tell the user something useful with a reference code, and clear the broken dialog state.
 */
import { ActivityTypes, type ConversationState, type TurnContext } from 'botbuilder';
import type { Localizer } from '../i18n';
import type { Logger } from '../log';
import { invokeErrorActivity } from './invoke-error';
import { turnInfo } from './turn-context';

/** Dependencies of the error boundary. */
export interface TurnErrorOptions {
  readonly logger: Logger;
  readonly conversationState: ConversationState;
  readonly localizer: Localizer;
}

/** Creates the adapter's `onTurnError` handler. */
export function createTurnErrorHandler(options: TurnErrorOptions) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const info = turnInfo(context, options.logger);
    const code = info.correlationId.slice(0, 8);
    info.logger.error({ err: error, referenceCode: code }, 'turn failed');
    try {
      // A dialog that threw once will throw again on the next message: start clean.
      await options.conversationState.delete(context);
    } catch (clearError) {
      info.logger.warn({ err: clearError }, 'could not clear conversation state after a failed turn');
    }
    const tr = options.localizer.forLocale(context.activity.locale);
    try {
      if (context.activity.type === String(ActivityTypes.Invoke)) {
        await context.sendActivity(invokeErrorActivity(500, 'InternalError', tr.t('messages.error', { code })));
      } else if (context.activity.type === String(ActivityTypes.Message)) {
        await context.sendActivity(tr.t('messages.error', { code }));
      }
    } catch (sendError) {
      info.logger.warn({ err: sendError }, 'could not tell the user about a failed turn');
    }
  };
}
