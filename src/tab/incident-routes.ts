/**
 * The tab's incident routes (TAB-CONTRACT.md §2): the incidents the sweep recorded across the
 * partner's customers, with how many customers each reached and were told and how many of the
 * caller's partner tenant's escalations still wait on it; and one incident with Microsoft's
 * posts, every affected customer with their escalations, and its timeline. Incidents are the
 * deployment's (its partner's customers); the escalations shown are the caller's tenant's only.
 */
import type restify from 'restify';
import { plainText } from '../cards/incident-cards';
import type { Escalation, EscalationState } from '../domain/escalation';
import { incidentTimeline } from '../domain/incident-timeline';
import type { Incident } from '../domain/incidents';
import { OPEN_STATES } from '../domain/states';
import { postIncidentReviewUrl } from '../health/types';
import type { EscalationStore, IncidentCounts, IncidentStore } from '../store/types';
import type { TabIdentity } from './auth';
import { HttpError, paramOf, queryOf, sendJson, type ApiRoute } from './http';

/** One incident in the list. */
export interface IncidentSummary {
  readonly id: string;
  readonly service: string;
  readonly title: string;
  readonly classification: string;
  /** Microsoft's status as it gives it (PascalCase in real payloads). */
  readonly status: string;
  /** Whether Microsoft says it is over (the status compared in any case), and since when the sweep saw it so. */
  readonly resolved: boolean;
  readonly resolvedAt?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  /** Microsoft's last change. */
  readonly lastUpdatedAt: string;
  /** Every customer the incident reached (those it has since left included). */
  readonly affectedCount: number;
  readonly toldCount: number;
  /** The caller's tenant's escalations confirmed as this incident and not yet closed or cancelled. */
  readonly openEscalationCount: number;
  readonly postIncidentReviewUrl?: string;
}

/** Largest page of the list. */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;
/** Escalations an incident's page lists at most (pages of the store's largest size). */
const MAX_ESCALATIONS = 2_000;
const ESCALATION_PAGE = 500;
/** Microsoft's issue ids (EX226792, MO123456); anything else names no incident. */
const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What the incident routes need. */
export interface IncidentRouteOptions {
  readonly incidents: Pick<IncidentStore, 'get' | 'counts'>;
  readonly store: Pick<EscalationStore, 'countByKnownIssue' | 'listByKnownIssue'>;
  /** Where the post-incident review is read (the Microsoft 365 admin center of the cloud). */
  readonly adminCenterUrl?: string;
}

/** The partner tenant whose escalations a caller sees (undefined: every one, for the development identity). */
function partnerOf(identity: TabIdentity): string | undefined {
  return identity.development ? undefined : identity.tenantId;
}

function summary(incident: Omit<Incident, 'customers'>, counts: { affected: number; told: number; open: number }, adminCenterUrl?: string): IncidentSummary {
  return {
    id: incident.id,
    service: incident.service,
    title: incident.title,
    classification: incident.classification,
    status: incident.status,
    resolved: incident.resolved,
    ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt } : {}),
    startedAt: incident.startDateTime,
    ...(incident.endDateTime ? { endedAt: incident.endDateTime } : {}),
    lastUpdatedAt: incident.lastModifiedDateTime,
    affectedCount: counts.affected,
    toldCount: counts.told,
    openEscalationCount: counts.open,
    ...(incident.postIncidentReview ? { postIncidentReviewUrl: postIncidentReviewUrl(incident.id, adminCenterUrl) } : {}),
  };
}

/** Parses `state=` (open, the default, or all). */
function resolvedFilter(raw: string | null): boolean | undefined {
  if (raw === null || raw === '' || raw === 'open') return false;
  if (raw === 'all') return undefined;
  throw new HttpError(400, 'BadState', 'state must be open or all.');
}

/** Parses `limit=` (1–100, default 50). */
function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) throw new HttpError(400, 'BadLimit', 'limit must be a whole number from 1 to 100.');
  return Math.min(Number(raw), MAX_LIMIT);
}

/** The caller's escalations confirmed as this incident, a store page at a time, at most MAX_ESCALATIONS. */
async function escalationsOf(store: IncidentRouteOptions['store'], partner: string | undefined, incidentId: string): Promise<Escalation[]> {
  const out: Escalation[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listByKnownIssue(partner, incidentId, { limit: ESCALATION_PAGE, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < MAX_ESCALATIONS);
  return out;
}

/** Registers `/api/incidents` and `/api/incidents/:id`. */
export function registerIncidentRoutes(server: restify.Server, api: ApiRoute, options: IncidentRouteOptions): void {
  const { incidents, store, adminCenterUrl } = options;

  server.get(
    '/api/incidents',
    api(async (req, res, identity) => {
      const query = queryOf(req);
      const resolved = resolvedFilter(query.get('state'));
      const cursor = query.get('cursor')?.trim();
      const page = await incidents.counts({ ...(resolved === undefined ? {} : { resolved }), limit: parseLimit(query.get('limit')), ...(cursor ? { cursor } : {}) });
      const open = await store.countByKnownIssue({ partnerTenantId: partnerOf(identity), knownIssueIds: page.items.map((i) => i.incident.id), states: OPEN_STATES });
      const row = (i: IncidentCounts): IncidentSummary => summary(i.incident, { affected: i.affected, told: i.told, open: open.get(i.incident.id) ?? 0 }, adminCenterUrl);
      sendJson(req, res, { incidents: page.items.map(row), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    }),
  );

  server.get(
    '/api/incidents/:id',
    api(async (req, res, identity) => {
      const id = paramOf(req, 'id') ?? '';
      const stored = INCIDENT_ID.test(id) ? await incidents.get(id) : undefined;
      if (!stored) throw new HttpError(404, 'NotFound', 'No such incident.');
      const incident = stored.incident;
      const escalations = await escalationsOf(store, partnerOf(identity), incident.id);
      const byCustomer = new Map<string, { id: string; title: string; state: EscalationState }[]>();
      for (const e of escalations) {
        const key = e.customer.tenantId.toLowerCase();
        byCustomer.set(key, [...(byCustomer.get(key) ?? []), { id: e.id, title: e.title, state: e.state }]);
      }
      const open = escalations.filter((e) => OPEN_STATES.includes(e.state)).length;
      const told = incident.customers.filter((c) => c.told).length;
      sendJson(req, res, {
        incident: {
          ...summary(incident, { affected: incident.customers.length, told, open }, adminCenterUrl),
          impact: plainText(incident.impactDescription),
          posts: incident.posts.map((p) => ({ at: p.createdDateTime, text: plainText(p.content) })),
          customers: incident.customers.map((c) => ({
            tenantId: c.tenantId,
            name: c.name,
            firstSeenAt: c.firstSeenAt,
            lastSeenAt: c.lastSeenAt,
            ...(c.goneSince ? { goneSince: c.goneSince } : {}),
            ...(c.told ? { told: { at: c.told.at, by: c.told.by.name ?? c.told.by.id } } : {}),
            escalations: byCustomer.get(c.tenantId.toLowerCase()) ?? [],
          })),
          timeline: incidentTimeline(incident).map((entry) => ({
            at: entry.at,
            kind: entry.kind,
            text: entry.kind === 'post' ? plainText(entry.text) : entry.text,
            ...(entry.actor ? { actor: entry.actor } : {}),
          })),
        },
      });
    }),
  );
}
