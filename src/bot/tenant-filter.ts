/**
 * Refuses activities from tenants the bot does not serve before any handler runs, so nothing
 * is stored for them; the user gets a polite answer, not silence.
 */
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { Config } from '../config';
import type { Localizer } from '../i18n';
import type { Logger } from '../log';
import { invokeErrorActivity } from './invoke-error';
import { tenantOf } from './turn-context';

/** Which tenants are served: any, or these (lower-case ids). */
export type TenantPolicy = { readonly any: true } | { readonly any: false; readonly tenants: ReadonlySet<string> };

/**
 * The tenants a configuration serves. With an app id (default-deny): the partner's own tenant
 * and ALLOWED_TENANTS, or any tenant with `ALLOWED_TENANTS=*`. In local mode the Agents
 * Playground's tenant is not a GUID, so an empty list serves any tenant there.
 */
export function tenantPolicy(config: Pick<Config, 'bot' | 'allowedTenants' | 'allowAnyTenant' | 'partnerTenantId'>): TenantPolicy {
  if (config.allowAnyTenant) return { any: true };
  if (config.bot.localMode && config.allowedTenants.length === 0) return { any: true };
  const tenants = new Set(config.allowedTenants.map((t) => t.toLowerCase()));
  if (config.partnerTenantId) tenants.add(config.partnerTenantId.toLowerCase());
  return { any: false, tenants };
}

/** Creates the allow-list middleware for a policy. */
export function tenantAllowList(policy: TenantPolicy, localizer: Localizer, logger: Logger): Middleware {
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      const tenant = tenantOf(context);
      if (policy.any || (tenant !== undefined && policy.tenants.has(tenant))) {
        await next();
        return;
      }
      logger.warn({ activityType: context.activity.type }, 'activity from a tenant the bot does not serve refused');
      const message = localizer.forLocale(context.activity.locale).t('messages.tenantNotAllowed');
      if (context.activity.type === String(ActivityTypes.Message)) {
        await context.sendActivity(message);
      } else if (context.activity.type === String(ActivityTypes.Invoke)) {
        await context.sendActivity(invokeErrorActivity(403, 'Forbidden', message));
      }
    },
  };
}
