/**
 * Refuses activities from partner tenants outside `ALLOWED_TENANTS` before any handler runs,
 * so nothing is stored for them; the user gets a polite answer, not silence.
 */
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { Localizer } from '../i18n';
import type { Logger } from '../log';
import { invokeErrorActivity } from './invoke-error';
import { tenantOf } from './turn-context';

/** Creates the allow-list middleware; with an empty list every tenant is allowed. */
export function tenantAllowList(allowed: readonly string[], localizer: Localizer, logger: Logger): Middleware {
  const set = new Set(allowed.map((t) => t.toLowerCase()));
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      const tenant = tenantOf(context);
      if (set.size === 0 || (tenant !== undefined && set.has(tenant.toLowerCase()))) {
        await next();
        return;
      }
      logger.warn({ activityType: context.activity.type }, 'activity from a tenant outside ALLOWED_TENANTS refused');
      const message = localizer.forLocale(context.activity.locale).t('messages.tenantNotAllowed');
      if (context.activity.type === String(ActivityTypes.Message)) {
        await context.sendActivity(message);
      } else if (context.activity.type === String(ActivityTypes.Invoke)) {
        await context.sendActivity(invokeErrorActivity(403, 'Forbidden', message));
      }
    },
  };
}
