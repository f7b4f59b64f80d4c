/**
 * The audit export: one customer's escalations with their timelines, as JSON or as CSV for a
 * spreadsheet. The trails are read a few at a time (an export holds up to 10,000 escalations).
 */
import { stringify } from 'csv-stringify/sync';
import type restify from 'restify';
import type { AuditEvent, Escalation } from '../domain/escalation';
import { mapWithLimit } from '../limits/fan-out';
import type { Logger } from '../log';
import type { EscalationStore } from '../store/types';
import { HttpError, queryOf, sendJson, type ApiHandler, type ApiRoute } from './http';

/** Most escalations one export holds. */
const MAX_EXPORT = 10_000;

/** Escalations listed per store page. */
const PAGE_SIZE = 500;

/** Audit trails read at once: enough to overlap the reads, few enough to leave the pool to the bot. */
const AUDIT_READS_AT_ONCE = 8;

const CSV_COLUMNS = ['escalationId', 'customer', 'service', 'title', 'serviceRequestId', 'at', 'actorKind', 'actor', 'from', 'to', 'reason'];

/** One exported escalation and its trail. */
interface ExportRow {
  readonly escalation: Escalation;
  readonly audit: readonly AuditEvent[];
}

/** The export's handler (`GET /api/escalations/export?customer=<tenant id>&format=json|csv`). */
function exportHandler(store: EscalationStore, logger: Logger): ApiHandler {
  return async (req, res, identity) => {
    const query = queryOf(req);
    const customer = query.get('customer')?.trim() ?? '';
    const format = query.get('format') ?? 'json';
    if (!/^[0-9a-f-]{36}$/i.test(customer)) throw new HttpError(400, 'BadCustomer', 'customer must be a customer tenant id.');
    if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'BadFormat', 'format must be json or csv.');
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
    logger.info({ escalations: rows.length, format }, 'audit export');
    const filename = `escalations-${customer}.${format}`;
    if (format === 'json') {
      res.header('Content-Disposition', `attachment; filename="${filename}"`);
      sendJson(req, res, { customerTenantId: customer, exportedAt: new Date().toISOString(), escalations: rows });
      return;
    }
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
    {
      header: true,
      columns: CSV_COLUMNS,
      // Titles, names and reasons are typed by people (or come from Partner Center): a cell
      // starting = + - @, tab or CR would run as a formula in Excel, so it gets a leading ' (OWASP).
      escape_formulas: true,
    },
  );
}

/** Registers the export (before `/api/escalations/:id`, which would otherwise take "export" for an id). */
export function registerExportRoute(server: restify.Server, api: ApiRoute, store: EscalationStore, logger: Logger): void {
  server.get('/api/escalations/export', api(exportHandler(store, logger)));
}
