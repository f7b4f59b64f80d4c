/**
 * The tab's GDAP renewals (TAB-CONTRACT.md §4): the partner's relationships that end within 30
 * days and do not extend themselves (the rule is the renewal reminders' own,
 * `relationshipsEndingSoon`), each with its customer's name. Empty when the deployment reads no
 * GDAP (no access provider wired).
 */
import type restify from 'restify';
import type { AccessProvider } from '../access/types';
import type { Customer } from '../directory';
import type { Clock } from '../domain/clock';
import { daysLeft, relationshipsEndingSoon, type GdapRelationship } from '../domain/access';
import { mapWithLimit } from '../limits/fan-out';
import type { Logger } from '../log';
import { HttpError, sendJson, type ApiRoute } from './http';

/** One relationship to renew, as the page shows it. */
export interface Renewal {
  readonly customer: { readonly tenantId: string; readonly name: string };
  /** The relationship's display name. */
  readonly relationship: string;
  readonly endsAt: string;
  /** Whole days left, a part day counted as a day. */
  readonly daysLeft: number;
  /** Always false: a relationship that extends itself needs no renewal. */
  readonly autoExtend: false;
}

/** What the renewals route needs. */
export interface RenewalRouteOptions {
  /** GDAP in the partner tenant (cached); undefined when the deployment reads none. */
  readonly access?: Pick<AccessProvider, 'listRelationships'>;
  /** Names the customers (their tenant id when the directory cannot). */
  readonly directory?: { get(tenantId: string): Promise<Customer | undefined> };
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Directory lookups at once (cached there; a few relationships end in any month). */
const NAME_LOOKUPS_AT_ONCE = 4;

/** Registers `/api/access/renewals`. */
export function registerRenewalRoutes(server: restify.Server, api: ApiRoute, options: RenewalRouteOptions): void {
  const { access, directory, clock, logger } = options;
  server.get(
    '/api/access/renewals',
    api(async (req, res) => {
      if (!access) {
        sendJson(req, res, { renewals: [] });
        return;
      }
      const now = clock.now();
      let relationships: readonly GdapRelationship[];
      try {
        relationships = (await access.listRelationships()).value;
      } catch (error) {
        // The reason (a missing permission, throttling) is for the admin's log, not the page.
        logger.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'tab: GDAP relationships could not be read');
        throw new HttpError(503, 'AccessUnavailable', 'GDAP relationships could not be read now; try again later.');
      }
      const ending = relationshipsEndingSoon(relationships, now);
      const renewals = await mapWithLimit(ending, NAME_LOOKUPS_AT_ONCE, async (r): Promise<Renewal> => {
        const name = (await directory?.get(r.customerTenantId).catch(() => undefined))?.companyName ?? r.customerTenantId;
        const endsAt = r.endDateTime as string;
        return { customer: { tenantId: r.customerTenantId, name }, relationship: r.displayName, endsAt, daysLeft: daysLeft(endsAt, now), autoExtend: false };
      });
      sendJson(req, res, { renewals });
    }),
  );
}
