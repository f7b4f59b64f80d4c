/**
 * The tab's response-time report (TAB-CONTRACT.md §3, issue 16.8): over the caller's partner
 * tenant's escalations reported in a period, the median and 90th percentile of Microsoft's time
 * to a first response per severity, the partner's own time from the report to the customer
 * told, and the breaches of both clocks per month; as JSON, or as CSV for a spreadsheet. The
 * figures are the domain's (`response-report.ts`) over the same stored times the cards read;
 * the escalations are read a store page at a time and kept only as their times.
 */
import { stringify } from 'csv-stringify/sync';
import type restify from 'restify';
import type { Clock } from '../domain/clock';
import { responseRecordOf, type ClockSettings } from '../domain/escalation-clocks';
import { breachesEveryMonth, responseTimeReport, type DurationFigures, type ResponseRecord } from '../domain/response-report';
import type { Logger } from '../log';
import type { EscalationStore } from '../store/types';
import { HttpError, queryOf, sendJson, type ApiRoute } from './http';

/** Escalations one report reads at most: a larger period is refused (narrow it). */
const MAX_REPORT_ESCALATIONS = 50_000;
const PAGE_SIZE = 500;
/** The longest period one report covers (two years and a day). */
const MAX_DAYS = 732;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const CSV_COLUMNS = ['section', 'severity', 'month', 'count', 'responded', 'medianMinutes', 'p90Minutes', 'breaches', 'microsoftBreaches', 'partnerBreaches'];

/** The period asked for, as dates and as the instants the store compares. */
interface Period {
  readonly from: string;
  readonly to: string;
  /** The start of `from`, UTC. */
  readonly start: string;
  /** The start of the day after `to`, UTC (exclusive). */
  readonly end: string;
}

/** A YYYY-MM-DD date that exists, as the start of that day in UTC (ms). */
function dayOf(raw: string, name: string): number {
  const time = DATE.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== raw) throw new HttpError(400, 'BadDate', `${name} must be a date written YYYY-MM-DD.`);
  return time;
}

/** `from` and `to` (inclusive), by default the six months up to today (UTC). */
export function periodOf(query: URLSearchParams, now: Date): Period {
  const rawTo = query.get('to');
  const rawFrom = query.get('from');
  const to = rawTo ? dayOf(rawTo, 'to') : Date.parse(now.toISOString().slice(0, 10));
  let from: number;
  if (rawFrom) from = dayOf(rawFrom, 'from');
  else {
    const start = new Date(to);
    start.setUTCMonth(start.getUTCMonth() - 6);
    from = start.getTime();
  }
  if (from > to) throw new HttpError(400, 'BadRange', 'from must not be after to.');
  if ((to - from) / DAY_MS >= MAX_DAYS) throw new HttpError(400, 'BadRange', 'A report covers at most two years.');
  const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  return { from: date(from), to: date(to), start: new Date(from).toISOString(), end: new Date(to + DAY_MS).toISOString() };
}

/** Whole minutes of a duration, when there is one. */
function minutes(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms / MINUTE_MS);
}

/** The median and p90 of figures, in whole minutes, present only when something stopped. */
function times(f: DurationFigures): { medianMinutes?: number; p90Minutes?: number } {
  const median = minutes(f.medianMs);
  const p90 = minutes(f.p90Ms);
  return { ...(median === undefined ? {} : { medianMinutes: median }), ...(p90 === undefined ? {} : { p90Minutes: p90 }) };
}

/** The report as the page reads it. */
export interface ResponseTimesBody {
  readonly from: string;
  readonly to: string;
  readonly microsoft: readonly {
    severity: 'A' | 'B' | 'C';
    targetHours: number;
    requests: number;
    responded: number;
    medianMinutes?: number;
    p90Minutes?: number;
    breaches: number;
  }[];
  readonly partner: { defaultTargetHours: number; escalations: number; told: number; medianMinutes?: number; p90Minutes?: number; breaches: number };
  readonly months: readonly { month: string; microsoftBreaches: number; partnerBreaches: number }[];
}

/** The report's body for stored records at `now`. */
export function responseTimesBody(records: readonly ResponseRecord[], period: Pick<Period, 'from' | 'to'>, settings: ClockSettings, now: Date): ResponseTimesBody {
  const report = responseTimeReport(records, { plan: settings.plan, partnerTargets: settings.partnerTargets, now });
  const labels = { critical: 'A', moderate: 'B', minimal: 'C' } as const;
  return {
    from: period.from,
    to: period.to,
    microsoft: report.microsoft.map((m) => ({
      severity: labels[m.severity],
      targetHours: m.targetHours,
      requests: m.count + m.open,
      responded: m.count,
      ...times(m),
      breaches: m.breaches,
    })),
    partner: {
      defaultTargetHours: settings.partnerTargets.defaultHours,
      escalations: report.partner.count + report.partner.open,
      told: report.partner.count,
      ...times(report.partner),
      breaches: report.partner.breaches,
    },
    months: breachesEveryMonth(report.breachesByMonth, period.from.slice(0, 7), period.to.slice(0, 7)).map((m) => ({
      month: m.month,
      microsoftBreaches: m.microsoft,
      partnerBreaches: m.partner,
    })),
  };
}

/** The report as CSV: a row per severity, one for the partner, one per month (formula-escaped like the audit export). */
export function responseTimesCsv(body: ResponseTimesBody): string {
  const rows = [
    ...body.microsoft.map((m) => ({ section: 'microsoft', severity: m.severity, count: m.requests, responded: m.responded, medianMinutes: m.medianMinutes, p90Minutes: m.p90Minutes, breaches: m.breaches })),
    { section: 'partner', count: body.partner.escalations, responded: body.partner.told, medianMinutes: body.partner.medianMinutes, p90Minutes: body.partner.p90Minutes, breaches: body.partner.breaches },
    ...body.months.map((m) => ({ section: 'month', month: m.month, microsoftBreaches: m.microsoftBreaches, partnerBreaches: m.partnerBreaches })),
  ];
  return stringify(rows, { header: true, columns: CSV_COLUMNS, escape_formulas: true });
}

/** What the report route needs. */
export interface ReportRouteOptions {
  readonly store: Pick<EscalationStore, 'listCreatedBetween'>;
  readonly clockSettings: ClockSettings;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Registers `/api/reports/response-times`. */
export function registerReportRoutes(server: restify.Server, api: ApiRoute, options: ReportRouteOptions): void {
  const { store, clockSettings, clock, logger } = options;
  server.get(
    '/api/reports/response-times',
    api(async (req, res, identity) => {
      const query = queryOf(req);
      const format = query.get('format') ?? (/\btext\/csv\b/i.test(req.header('accept') ?? '') ? 'csv' : 'json');
      if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'BadFormat', 'format must be json or csv.');
      const now = clock.now();
      const period = periodOf(query, now);
      const records: ResponseRecord[] = [];
      let read = 0;
      let cursor: string | undefined;
      do {
        const page = await store.listCreatedBetween({
          ...(identity.development ? {} : { partnerTenantId: identity.tenantId }),
          from: period.start,
          to: period.end,
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        });
        read += page.items.length;
        if (read > MAX_REPORT_ESCALATIONS) throw new HttpError(400, 'RangeTooLarge', 'Too many escalations in this period for one report; choose a shorter one.');
        for (const e of page.items) {
          const record = responseRecordOf(e);
          if (record) records.push(record);
        }
        cursor = page.nextCursor;
      } while (cursor);
      const body = responseTimesBody(records, period, clockSettings, now);
      logger.info({ escalations: read, format }, 'response-time report');
      if (format === 'json') {
        sendJson(req, res, body);
        return;
      }
      res.sendRaw(200, responseTimesCsv(body), {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="response-times-${period.from}-${period.to}.csv"`,
        'Cache-Control': 'private, no-cache',
      });
    }),
  );
}
