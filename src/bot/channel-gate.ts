/**
 * Which activities may reach a turn at all: Microsoft Teams ones, whose tenant is certain.
 *
 * A Bot Framework token proves the request came through the Bot Connector for this bot and
 * this serviceUrl; it signs nothing in the body. Other channels (Web Chat, Direct Line) get
 * valid tokens too and let their clients write `channelData` freely, so a `channelData.tenant`
 * saying "the partner" proves nothing there. For Teams, the tenant is `conversation.tenantId`,
 * which Teams always sets; `channelData.tenant.id` repeats it, and when the two disagree the
 * activity was not made by Teams. Such activities get no turn: nothing runs, nothing is stored.
 */

/** The only channel served (the Agents Playground, in local mode, sends it too). */
export const TEAMS_CHANNEL = 'msteams';

/** Why an activity gets no turn, as the HTTP answer's code. */
export type ChannelRefusalCode = 'ChannelNotSupported' | 'TenantMismatch' | 'TenantMissing';

/** A refused activity: the 403 answer's code and the locale key of its message. */
export interface ChannelRefusal {
  readonly code: ChannelRefusalCode;
  readonly messageKey: string;
}

/** The fields of an incoming activity the gate reads (it runs on the request body, before botbuilder). */
export interface GatedActivity {
  readonly channelId?: unknown;
  readonly conversation?: { readonly tenantId?: unknown } | null;
  readonly channelData?: unknown;
}

/** The activity's tenant: `conversation.tenantId`, lower-cased; undefined when absent. */
export function tenantIdOf(activity: GatedActivity): string | undefined {
  const id = activity.conversation?.tenantId;
  return typeof id === 'string' && id.trim().length > 0 ? id.trim().toLowerCase() : undefined;
}

/** `channelData.tenant.id` as sent (any type), or undefined when the activity has none. */
function channelDataTenantOf(activity: GatedActivity): unknown {
  const data = activity.channelData;
  if (typeof data !== 'object' || data === null) return undefined;
  const tenant = (data as { tenant?: unknown }).tenant;
  if (typeof tenant !== 'object' || tenant === null) return undefined;
  return (tenant as { id?: unknown }).id;
}

/**
 * Why an activity must not get a turn, or undefined when it may. With an app id a Teams
 * activity must name its tenant; in local mode one without a tenant runs as the local tenant.
 */
export function channelRefusal(activity: GatedActivity, options: { readonly localMode: boolean }): ChannelRefusal | undefined {
  if (activity.channelId !== TEAMS_CHANNEL) return { code: 'ChannelNotSupported', messageKey: 'messages.channelNotSupported' };
  const tenant = tenantIdOf(activity);
  const claimed = channelDataTenantOf(activity);
  if (claimed !== undefined && claimed !== null && (typeof claimed !== 'string' || claimed.trim().toLowerCase() !== tenant)) {
    return { code: 'TenantMismatch', messageKey: 'messages.tenantMismatch' };
  }
  if (tenant === undefined && !options.localMode) return { code: 'TenantMissing', messageKey: 'messages.tenantMismatch' };
  return undefined;
}
