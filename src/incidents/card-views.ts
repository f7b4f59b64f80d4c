/**
 * What the incident cards show, gathered once per render: the page of customers with their open
 * escalations (those of the partner tenant confirmed as this incident in the flow,
 * `details.knownIssue`), a notice drafted for each in the customer's language when the directory
 * knows it (else the reader's), and the links to the tab and to Microsoft's post-incident review.
 * The cards in `src/cards/incident-cards.ts` only lay these out.
 */
import { plainText } from '../cards/incident-cards';
import type { IncidentCardMode, IncidentCardView, IncidentCustomerView } from '../cards/views';
import type { Customer } from '../directory/types';
import { customerPage, noticeKindOf, noticeLanguage, tallyOf, type NoticeKind } from '../domain/incident-card';
import type { ReplyChange } from '../domain/incident-messages';
import type { AffectedCustomer, Incident } from '../domain/incidents';
import type { EscalationState } from '../domain/escalation';
import { OPEN_STATES } from '../domain/states';
import { postIncidentReviewUrl } from '../health/types';
import { SUPPORTED_LANGUAGES, type Localizer, type Translator } from '../i18n';
import type { Logger } from '../log';
import type { EscalationStore } from '../store/types';

/** Dependencies of the incident views. */
export interface IncidentViewsOptions {
  readonly escalations: Pick<EscalationStore, 'listByKnownIssue'>;
  readonly localizer: Localizer;
  /** The partner's customers with their languages (the directory's cached list). */
  readonly customers?: () => Promise<readonly Pick<Customer, 'tenantId' | 'language'>[]>;
  /** The incident (or, without an id, the incidents) in the tab, when the deployment can link it. */
  readonly tabLink?: (incidentId?: string) => string | undefined;
  /** The Microsoft 365 admin center (per cloud), where the post-incident review is read. */
  readonly adminCenterUrl?: string;
  readonly logger?: Logger;
}

/** Which card to gather for, and what the action just done has to say. */
export interface IncidentViewRequest {
  readonly mode?: IncidentCardMode;
  readonly changes?: readonly ReplyChange[];
  /** 1-based page of customers (default 1). */
  readonly page?: number;
  readonly error?: string;
  readonly note?: string;
}

/** Escalations read per incident for its card; beyond it the card counts what it read. */
const MAX_ESCALATIONS_READ = 2_000;
/** Microsoft's impact statement as a notice quotes it. */
const NOTICE_IMPACT_CHARS = 240;

/** Gathers the incident cards' view models. */
export class IncidentViews {
  constructor(private readonly options: IncidentViewsOptions) {}

  /** The incident in the tab (or the tab's incidents), if linkable. */
  tabLink(incidentId?: string): string | undefined {
    return this.options.tabLink?.(incidentId);
  }

  /**
   * The view of an incident's card (or of a reply in its thread) for a reader: `partnerTenantId`
   * names whose escalations are shown (none without one).
   */
  async card(tr: Translator, incident: Incident, partnerTenantId: string | undefined, request: IncidentViewRequest = {}): Promise<IncidentCardView> {
    const page = customerPage(incident, request.page ?? 1);
    const escalations = partnerTenantId ? await this.openEscalations(partnerTenantId, incident.id) : new Map<string, IncidentCustomerView['escalations']>();
    const languages = await this.languages();
    const kind = noticeKindOf(incident);
    const customers: IncidentCustomerView[] = page.customers.map((customer) => ({
      customer,
      escalations: escalations.get(customer.tenantId.toLowerCase()) ?? [],
      notice: this.notice(tr, incident, customer, kind, languages.get(customer.tenantId.toLowerCase())),
    }));
    let linked = 0;
    for (const list of escalations.values()) linked += list.length;
    const tabLink = this.tabLink(incident.id);
    return {
      incident,
      mode: request.mode ?? 'card',
      ...(request.changes ? { changes: request.changes } : {}),
      tally: tallyOf(incident),
      page: { ...page, customers },
      escalations: linked,
      ...(tabLink ? { tabLink } : {}),
      ...(incident.postIncidentReview ? { reviewLink: postIncidentReviewUrl(incident.id, this.options.adminCenterUrl) } : {}),
      ...(request.error ? { error: request.error } : {}),
      ...(request.note ? { note: request.note } : {}),
    };
  }

  /** The notice a customer is owed now, in its language when known and written by the desk, else the reader's. */
  notice(tr: Translator, incident: Incident, customer: Pick<AffectedCustomer, 'name'>, kind: NoticeKind, customerLanguage: string | undefined): string {
    const language = noticeLanguage(customerLanguage, tr.language, SUPPORTED_LANGUAGES);
    const t = language === tr.language ? tr : this.options.localizer.forLocale(language);
    const impact = plainText(incident.impactDescription);
    return t.t(`cards.incident.notice.${kind}`, {
      customer: customer.name,
      service: incident.service,
      title: incident.title,
      id: incident.id,
      impact: impact === '' ? '' : t.t('cards.incident.notice.impact', { impact: impact.length > NOTICE_IMPACT_CHARS ? `${impact.slice(0, NOTICE_IMPACT_CHARS - 1)}…` : impact }),
    });
  }

  /** The open escalations of the partner tenant confirmed as this incident, by customer tenant (lower case), newest first. */
  private async openEscalations(partnerTenantId: string, incidentId: string): Promise<Map<string, { id: string; state: EscalationState }[]>> {
    const byTenant = new Map<string, { id: string; state: EscalationState }[]>();
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await this.options.escalations.listByKnownIssue(partnerTenantId, incidentId, { limit: 500, cursor });
      for (const e of page.items) {
        if (!OPEN_STATES.includes(e.state)) continue;
        const key = e.customer.tenantId.toLowerCase();
        const list = byTenant.get(key) ?? [];
        list.push({ id: e.id, state: e.state });
        byTenant.set(key, list);
      }
      read += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined && read < MAX_ESCALATIONS_READ);
    return byTenant;
  }

  /** Customer languages by tenant (lower case); none when the directory cannot say right now. */
  private async languages(): Promise<Map<string, string>> {
    const languages = new Map<string, string>();
    if (!this.options.customers) return languages;
    try {
      for (const c of await this.options.customers()) if (c.language) languages.set(c.tenantId.toLowerCase(), c.language);
    } catch (error) {
      // A directory outage costs the notices their customer's language, not the card.
      this.options.logger?.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'customer languages unavailable for the incident card');
    }
    return languages;
  }
}
