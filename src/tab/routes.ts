/**
 * The tab's escalation routes: the list of the caller's partner tenant (filtered, paged), one
 * escalation with its audit trail, and its card. Another tenant's escalation does not exist
 * for a caller.
 */
import type restify from 'restify';
import type { AdaptiveCardJson } from '../cards';
import { isEscalationState, type AuditEvent, type Escalation, type EscalationState } from '../domain/escalation';
import { OPEN_STATES } from '../domain/states';
import type { Clock } from '../domain/clock';
import type { ClockSettings } from '../domain/escalation-clocks';
import type { EscalationStore } from '../store/types';
import type { TabIdentity } from './auth';
import { chatLinkOf, type ChatLinkOptions } from './chat-link';
import { tabClocks, type TabClock } from './clock-view';
import { HttpError, paramOf, queryOf, sendJson, type ApiRoute } from './http';
import { readOnlyCard } from './read-only-card';

/** Renders the card of an escalation for the tab (the bot's own renderer, wired by app.ts). */
export type TabCardFor = (escalation: Escalation, locale: string) => AdaptiveCardJson | Promise<AdaptiveCardJson>;

/** One row of the list, as the page shows it. */
export interface EscalationSummary {
  readonly id: string;
  readonly title: string;
  readonly customer: { readonly tenantId: string; readonly name: string };
  readonly service: string;
  readonly state: EscalationState;
  /** The Microsoft service request number, once the partner linked one. */
  readonly serviceRequestId?: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Its response clocks read now (Microsoft's first response, the partner's own); empty when none applies. */
  readonly clocks: readonly TabClock[];
}

/** Largest page of the list the API returns. */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/** The Microsoft request number of an escalation, if the partner linked one. */
function serviceRequestIdOf(escalation: Escalation): string | undefined {
  const value = escalation.details.serviceRequestId;
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The list row of an escalation, with its clocks read at `now`. */
export function summarize(escalation: Escalation, clocks: { readonly settings: ClockSettings; readonly now: Date }): EscalationSummary {
  const serviceRequestId = serviceRequestIdOf(escalation);
  return {
    id: escalation.id,
    title: escalation.title,
    customer: { tenantId: escalation.customer.tenantId, name: escalation.customer.name },
    service: escalation.service,
    state: escalation.state,
    ...(serviceRequestId ? { serviceRequestId } : {}),
    owner: escalation.ownerName ?? escalation.ownerId,
    createdAt: escalation.createdAt,
    updatedAt: escalation.updatedAt,
    clocks: tabClocks(escalation, clocks.settings, clocks.now),
  };
}

/** What the page may know about its caller. */
function publicIdentity(identity: TabIdentity): Record<string, unknown> {
  return identity.development ? { development: true, name: identity.name } : { development: false, ...(identity.name ? { name: identity.name } : {}) };
}

/** Parses `state=`: comma-separated states, or `open` for every state that is not terminal. */
function parseStates(raw: string | null): readonly EscalationState[] | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const states = new Set<EscalationState>();
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'open') OPEN_STATES.forEach((s) => states.add(s));
    else if (isEscalationState(part)) states.add(part);
    else throw new HttpError(400, 'BadState', 'Unknown state in the state filter.');
  }
  return [...states];
}

/** Parses `limit=` (1–100, default 50). */
function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) throw new HttpError(400, 'BadLimit', 'limit must be a whole number from 1 to 100.');
  return Math.min(Number(raw), MAX_LIMIT);
}

/** What the escalation routes need. */
export interface EscalationRouteOptions {
  readonly store: EscalationStore;
  readonly cardFor: TabCardFor;
  /** Entra sign-in: callers see their own partner tenant's escalations only. */
  readonly tenantScoped: boolean;
  /** The bot's app id and cloud, for "Open in chat"; none in local mode (no Teams client opens links there). */
  readonly chatLink?: ChatLinkOptions;
  /** The support plan and the partner's targets the clocks are read against. */
  readonly clockSettings: ClockSettings;
  readonly clock: Clock;
}

/** Registers `/api/escalations`, `/api/escalations/:id` and `/api/escalations/:id/card`. */
export function registerEscalationRoutes(server: restify.Server, api: ApiRoute, options: EscalationRouteOptions): void {
  const { store, cardFor, tenantScoped, clockSettings, clock, chatLink } = options;
  const row = (e: Escalation, now: Date): EscalationSummary => summarize(e, { settings: clockSettings, now });

  /** The escalation if the caller may see it; another tenant's escalation does not exist for them. */
  const visible = async (id: string | undefined, identity: TabIdentity): Promise<Escalation> => {
    const escalation = id ? await store.get(id) : undefined;
    if (!escalation || (tenantScoped && !identity.development && escalation.partnerTenantId.toLowerCase() !== identity.tenantId.toLowerCase())) {
      throw new HttpError(404, 'NotFound', 'No such escalation.');
    }
    return escalation;
  };

  server.get(
    '/api/escalations',
    api(async (req, res, identity) => {
      const query = queryOf(req);
      const customer = query.get('customer')?.trim();
      const cursor = query.get('cursor')?.trim();
      if (customer && customer.length > 200) throw new HttpError(400, 'BadCustomer', 'customer is too long.');
      // `mine=1` narrows to the caller's own escalations; the development identity owns none, so it is ignored there.
      const mine = query.get('mine') === '1' && !identity.development;
      const page = await store.list({
        ...(identity.development ? {} : { partnerTenantId: identity.tenantId }),
        ...(mine && !identity.development ? { ownerId: identity.userId } : {}),
        ...(customer ? { customerTenantId: customer } : {}),
        states: parseStates(query.get('state')),
        limit: parseLimit(query.get('limit')),
        ...(cursor ? { cursor } : {}),
      });
      const now = clock.now();
      sendJson(req, res, {
        identity: publicIdentity(identity),
        items: page.items.map((e) => row(e, now)),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    }),
  );

  server.get(
    '/api/escalations/:id',
    api(async (req, res, identity) => {
      const escalation = await visible(paramOf(req, 'id'), identity);
      const audit: readonly AuditEvent[] = await store.audit(escalation.id);
      const chatUrl = chatLinkOf(chatLink, escalation);
      sendJson(req, res, {
        identity: publicIdentity(identity),
        escalation: { ...escalation, summary: row(escalation, clock.now()) },
        audit,
        ...(chatUrl ? { chatUrl } : {}),
      });
    }),
  );

  server.get(
    '/api/escalations/:id/card',
    api(async (req, res, identity) => {
      const escalation = await visible(paramOf(req, 'id'), identity);
      const requested = queryOf(req).get('locale') ?? '';
      const locale = LOCALE.test(requested) ? requested : 'en-US';
      // The tab cannot act on a card: it shows it read-only, beside its own timeline.
      const card = readOnlyCard(await cardFor(escalation, locale));
      sendJson(req, res, { card });
    }),
  );
}
