/**
 * The audit export: one customer's escalations with their timelines, and the Microsoft
 * incidents that affected the customer (when the sweep saw them there, whether and by whom the
 * customer was told), as JSON or as CSV for a spreadsheet (`section=incidents` for the
 * incidents' file). The trails are read a few at a time (an export holds up to 10,000
 * escalations); another customer of an incident never appears in this customer's export.
 */
import { stringify } from 'csv-stringify/sync';
import type restify from 'restify';
import type { AuditEvent, Escalation } from '../domain/escalation';
import { mapWithLimit } from '../limits/fan-out';
import type { Logger } from '../log';
import type { Incident } from '../domain/incidents';
import type { EscalationStore, IncidentStore } from '../store/types';
import { HttpError, queryOf, sendJson, type ApiHandler, type ApiRoute } from './http';

/** Most escalations one export holds. */
const MAX_EXPORT = 10_000;

/** Escalations listed per store page. */
const PAGE_SIZE = 500;

/** Audit trails read at once: enough to overlap the reads, few enough to leave the pool to the bot. */
const AUDIT_READS_AT_ONCE = 8;

const CSV_COLUMNS = ['escalationId', 'customer', 'service', 'title', 'serviceRequestId', 'at', 'actorKind', 'actor', 'from', 'to', 'reason'];
const INCIDENT_CSV_COLUMNS = ['incidentId', 'service', 'title', 'classification', 'status', 'startedAt', 'endedAt', 'resolvedAt', 'customer', 'firstSeenAt', 'lastSeenAt', 'goneSince', 'toldAt', 'toldBy'];

/** A spreadsheet cell starting = + - @, tab or CR would run as a formula in Excel: it gets a leading ' (OWASP). */
const CSV_OPTIONS = { header: true, escape_formulas: true } as const;

/** One incident as the customer lived it. */
interface ExportedIncident {
  readonly id: string;
  readonly service: string;
  readonly title: string;
  readonly classification: string;
  readonly status: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly resolved: boolean;
  readonly resolvedAt?: string;
  /** This customer's entry on it: seen, gone, told. */
  readonly customer: { readonly name: string; readonly firstSeenAt: string; readonly lastSeenAt: string; readonly goneSince?: string; readonly told?: { readonly at: string; readonly by: string } };
}

/** One exported escalation and its trail. */
interface ExportRow {
  readonly escalation: Escalation;
  readonly audit: readonly AuditEvent[];
}

/** The incidents that affected one customer, with its entry only, a store page at a time. */
async function incidentsOf(incidents: Pick<IncidentStore, 'listForCustomer'>, customer: string): Promise<ExportedIncident[]> {
  const out: ExportedIncident[] = [];
  let cursor: string | undefined;
  do {
    const page = await incidents.listForCustomer(customer, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const { incident } of page.items) {
      const entry = incident.customers[0];
      if (entry) out.push(exported(incident, entry));
    }
    cursor = page.nextCursor;
  } while (cursor && out.length < MAX_EXPORT);
  return out;
}

function exported(i: Incident, c: Incident['customers'][number]): ExportedIncident {
  return {
    id: i.id,
    service: i.service,
    title: i.title,
    classification: i.classification,
    status: i.status,
    startedAt: i.startDateTime,
    ...(i.endDateTime ? { endedAt: i.endDateTime } : {}),
    resolved: i.resolved,
    ...(i.resolvedAt ? { resolvedAt: i.resolvedAt } : {}),
    customer: {
      name: c.name,
      firstSeenAt: c.firstSeenAt,
      lastSeenAt: c.lastSeenAt,
      ...(c.goneSince ? { goneSince: c.goneSince } : {}),
      ...(c.told ? { told: { at: c.told.at, by: c.told.by.name ?? c.told.by.id } } : {}),
    },
  };
}

/** The export's handler (`GET /api/escalations/export?customer=<tenant id>&format=json|csv[&section=escalations|incidents]`). */
function exportHandler(store: EscalationStore, incidents: Pick<IncidentStore, 'listForCustomer'>, logger: Logger): ApiHandler {
  return async (req, res, identity) => {
    const query = queryOf(req);
    const customer = query.get('customer')?.trim() ?? '';
    const format = query.get('format') ?? 'json';
    const section = query.get('section') ?? 'escalations';
    if (!/^[0-9a-f-]{36}$/i.test(customer)) throw new HttpError(400, 'BadCustomer', 'customer must be a customer tenant id.');
    if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'BadFormat', 'format must be json or csv.');
    if (section !== 'escalations' && section !== 'incidents') throw new HttpError(400, 'BadSection', 'section must be escalations or incidents.');
    if (format === 'csv' && section === 'incidents') {
      const affected = await incidentsOf(incidents, customer);
      logger.info({ incidents: affected.length, format }, 'audit export');
      res.sendRaw(200, incidentsCsv(affected), { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="incidents-${customer}.csv"` });
      return;
    }
    const escalations: Escalation[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({
        ...(identity.development ? {} : { partnerTenantId: identity.tenantId }),
        customerTenantId: customer,
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      escalations.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && escalations.length < MAX_EXPORT);
    const rows = await mapWithLimit(escalations, AUDIT_READS_AT_ONCE, async (e): Promise<ExportRow> => ({ escalation: e, audit: await store.audit(e.id) }));
    const filename = `escalations-${customer}.${format}`;
    if (format === 'json') {
      // The incidents belong to the deployment's partner; an Entra caller is of that partner tenant.
      const affected = await incidentsOf(incidents, customer);
      logger.info({ escalations: rows.length, incidents: affected.length, format }, 'audit export');
      res.header('Content-Disposition', `attachment; filename="${filename}"`);
      sendJson(req, res, { customerTenantId: customer, exportedAt: new Date().toISOString(), escalations: rows, incidents: affected });
      return;
    }
    logger.info({ escalations: rows.length, format }, 'audit export');
    res.sendRaw(200, toCsv(rows), { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
  };
}

/** One CSV line per audit event. */
function toCsv(rows: readonly ExportRow[]): string {
  return stringify(
    rows.flatMap(({ escalation: e, audit }) =>
      audit.map((ev) => ({
        escalationId: e.id,
        customer: e.customer.name,
        service: e.service,
        title: e.title,
        serviceRequestId: typeof e.details.serviceRequestId === 'string' ? e.details.serviceRequestId : '',
        at: ev.at,
        actorKind: ev.actor.kind,
        actor: ev.actor.name ?? ev.actor.id,
        from: ev.from ?? '',
        to: ev.to,
        reason: ev.reason ?? '',
      })),
    ),
    // Titles, names and reasons are typed by people (or come from Partner Center).
    { ...CSV_OPTIONS, columns: CSV_COLUMNS },
  );
}

/** One CSV line per incident that affected the customer (titles come from Microsoft, names from people: escaped the same). */
function incidentsCsv(incidents: readonly ExportedIncident[]): string {
  return stringify(
    incidents.map((i) => ({
      incidentId: i.id,
      service: i.service,
      title: i.title,
      classification: i.classification,
      status: i.status,
      startedAt: i.startedAt,
      endedAt: i.endedAt ?? '',
      resolvedAt: i.resolvedAt ?? '',
      customer: i.customer.name,
      firstSeenAt: i.customer.firstSeenAt,
      lastSeenAt: i.customer.lastSeenAt,
      goneSince: i.customer.goneSince ?? '',
      toldAt: i.customer.told?.at ?? '',
      toldBy: i.customer.told?.by ?? '',
    })),
    { ...CSV_OPTIONS, columns: INCIDENT_CSV_COLUMNS },
  );
}

/** Registers the export (before `/api/escalations/:id`, which would otherwise take "export" for an id). */
export function registerExportRoute(server: restify.Server, api: ApiRoute, store: EscalationStore, incidents: Pick<IncidentStore, 'listForCustomer'>, logger: Logger): void {
  server.get('/api/escalations/export', api(exportHandler(store, incidents, logger)));
}
