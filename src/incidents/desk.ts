/**
 * What the chat does with incidents, below the Teams edge: read one for its card, record that a
 * customer was told (saved with the channel's messages it calls for, through the same
 * `saveWithMessages` as the sweep, so the card in the channel follows within its window), set or
 * clear the incident channel (posting the open incidents' cards in a new one at once), and the
 * overview the `incidents` command shows.
 */
import type { IncidentCardView, IncidentListView } from '../cards/views';
import type { Clock } from '../domain/clock';
import { tallyOf } from '../domain/incident-card';
import type { CardTiming } from '../domain/incident-messages';
import { customerOf, markCustomerTold, type AffectedCustomer, type IncidentActor } from '../domain/incidents';
import type { Translator } from '../i18n';
import type { Logger } from '../log';
import { IncidentConflictError, type IncidentStore, type StoredIncident, type TenantSweepStore } from '../store/incidents';
import type { ConversationRecord, ConversationStore } from '../store/queues';
import type { IncidentViewRequest, IncidentViews } from './card-views';
import { saveWithMessages, type IncidentSaveDeps } from './channel';
import type { IncidentRenderer } from './render';

/** Dependencies of the desk. */
export interface IncidentDeskOptions {
  readonly incidents: IncidentStore;
  readonly sweeps: Pick<TenantSweepStore, 'list'>;
  readonly conversations: Pick<ConversationStore, 'upsert'>;
  readonly views: IncidentViews;
  /** The channel's messages (the same renderer as the sweep's). */
  readonly render: IncidentRenderer;
  readonly clock: Clock;
  readonly cardTiming?: CardTiming;
  readonly logger: Logger;
}

/** What marking a customer told came to. */
export type ToldOutcome =
  | { readonly kind: 'told'; readonly stored: StoredIncident; readonly customer: AffectedCustomer }
  | { readonly kind: 'already'; readonly stored: StoredIncident; readonly customer: AffectedCustomer }
  | { readonly kind: 'unknown_incident' }
  | { readonly kind: 'unknown_customer'; readonly stored: StoredIncident };

/** What setting the incident channel did. */
export interface ChannelSet {
  /** The channel was already the incident channel. */
  readonly already: boolean;
  /** Open incidents whose card is now posted there. */
  readonly posted: number;
}

/** Saves of one change tried before giving up (the sweep keeps saving the same incident). */
const MAX_ATTEMPTS = 4;
/** Open incidents whose card a new channel gets at once; the rest get theirs at their next change. */
const MAX_POSTED_AT_ONCE = 200;
/** Rows the `incidents` overview lists of each kind. */
const LISTED_INCIDENTS = 15;
const LISTED_UNREADABLE = 15;

/** A Microsoft issue id as typed or carried by a card: trimmed, bounded; none when it cannot be one. */
export function incidentIdOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.trim().split(/\s+/)[0] ?? '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
}

/** The chat's incident operations. */
export class IncidentDesk {
  private readonly saveDeps: IncidentSaveDeps;

  constructor(private readonly options: IncidentDeskOptions) {
    this.saveDeps = { incidents: options.incidents, clock: options.clock, render: options.render, cardTiming: options.cardTiming };
  }

  /** One incident by Microsoft's id, as typed (EX226792, ex226792). */
  async get(id: string): Promise<StoredIncident | undefined> {
    return (await this.options.incidents.get(id)) ?? (id === id.toUpperCase() ? undefined : this.options.incidents.get(id.toUpperCase()));
  }

  /** The view of an incident's card for a reader (their partner tenant's escalations), or undefined when there is no such incident. */
  async view(tr: Translator, partnerTenantId: string, id: string, request: IncidentViewRequest = {}): Promise<IncidentCardView | undefined> {
    const stored = await this.get(id);
    return stored && this.options.views.card(tr, stored.incident, partnerTenantId, request);
  }

  /** The view of an incident already read. */
  viewOf(tr: Translator, partnerTenantId: string, stored: StoredIncident, request: IncidentViewRequest = {}): Promise<IncidentCardView> {
    return this.options.views.card(tr, stored.incident, partnerTenantId, request);
  }

  /** Records that a customer was told, once (a second press says who did it first). */
  async markTold(id: string, tenantId: string, by: IncidentActor): Promise<ToldOutcome> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.get(id);
      if (!stored) return { kind: 'unknown_incident' };
      const customer = customerOf(stored.incident, tenantId);
      if (!customer) return { kind: 'unknown_customer', stored };
      if (customer.told) return { kind: 'already', stored, customer };
      const merge = markCustomerTold(stored.incident, customer.tenantId, { id: by.id, ...(by.name ? { name: by.name } : {}) }, this.options.clock.now().toISOString());
      if (!merge.incident) return { kind: 'already', stored, customer };
      try {
        const channel = await this.options.incidents.getChannel();
        const saved = await saveWithMessages(this.saveDeps, { incident: merge.incident, stored, merge, channel, card: stored.card, partial: false });
        return { kind: 'told', stored: saved, customer: customerOf(saved.incident, customer.tenantId) ?? customer };
      } catch (error) {
        // The sweep saved the incident meanwhile: read it again and record the telling on that.
        if (!(error instanceof IncidentConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Makes a channel the incident channel (its root reference stored for proactive posts) and
   * posts the open incidents' cards there at once: an incident whose card is elsewhere (or was
   * given up) gets a new one here.
   */
  async setChannel(root: Omit<ConversationRecord, 'unreachable'>, by: IncidentActor): Promise<ChannelSet> {
    const { incidents, conversations, clock, logger } = this.options;
    const now = clock.now();
    await conversations.upsert({ ...root, updatedAt: now.toISOString() });
    const current = await incidents.getChannel();
    const already = current?.conversationKey === root.key;
    const channel = { conversationKey: root.key, setBy: by, setAt: now.toISOString() };
    await incidents.setChannel(channel);
    let posted = 0;
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await incidents.list({ resolved: false, limit: 50, cursor });
      for (const stored of page.items) {
        if (stored.card && stored.card.channel === root.key && stored.card.failed === undefined) continue;
        try {
          if (await this.postCard(stored.incident.id, channel)) posted++;
        } catch (error) {
          // The incident's next change posts it: one card must not stop the others.
          logger.warn({ incidentId: stored.incident.id, err: error instanceof Error ? error.name : 'unknown' }, 'could not post an incident card in the new channel');
        }
      }
      seen += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined && seen < MAX_POSTED_AT_ONCE);
    logger.info({ posted, already }, 'incident channel set');
    return { already, posted };
  }

  /** Stops posting incident cards; false when no channel was set. */
  clearChannel(): Promise<boolean> {
    return this.options.incidents.clearChannel();
  }

  /** The `incidents` overview: open incidents (most recently changed first), the incident channel, the tenants not read and why. */
  async overview(): Promise<IncidentListView> {
    const { incidents, sweeps } = this.options;
    const open = await incidents.list({ resolved: false, limit: LISTED_INCIDENTS });
    const failing = await sweeps.list({ failing: true, limit: LISTED_UNREADABLE });
    const channel = await incidents.getChannel();
    const tabLink = this.options.views.tabLink();
    return {
      incidents: open.items.map((s) => ({ incident: s.incident, tally: tallyOf(s.incident) })),
      moreIncidents: open.nextCursor !== undefined,
      unreadable: failing.items.map((t) => ({ name: t.name, reason: t.lastReason ?? 'unavailable', failures: t.failures, ...(t.lastSweptAt ? { since: t.lastSweptAt } : {}) })),
      moreUnreadable: failing.nextCursor !== undefined,
      ...(channel ? { channel: { setBy: channel.setBy.name ?? channel.setBy.id, setAt: channel.setAt } } : {}),
      ...(tabLink ? { tabLink } : {}),
    };
  }

  /** Posts one open incident's card in `channel` (a card elsewhere or given up is left behind); false when it is no longer open. */
  private async postCard(id: string, channel: { readonly conversationKey: string; readonly setBy: IncidentActor; readonly setAt: string }): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.options.incidents.get(id);
      if (!stored || stored.incident.resolved) return false;
      try {
        await saveWithMessages(this.saveDeps, { incident: stored.incident, stored, merge: { events: [], changedCustomers: [] }, channel, card: undefined, partial: false });
        return true;
      } catch (error) {
        if (!(error instanceof IncidentConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}
