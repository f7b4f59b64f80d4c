/**
 * The response-time report over stored escalations: median and p90 time to Microsoft's first
 * response per severity, the partner's own times, and breaches per month. Computed from stored
 * times with the clocks of `response-clocks.ts`, so the same records always give the same figures.
 */
import { partnerClock, readClock, type ClockReading, type PartnerTargets, type SupportPlan } from './response-clocks';
import { SEVERITIES, isSeverity, type Severity } from './triage';

const HOUR_MS = 3_600_000;

/** One escalation's stored times, as the report reads them. */
export interface ResponseRecord {
  readonly escalationId: string;
  readonly customerTenantId: string;
  /** The linked request's severity, when there is one. */
  readonly severity?: string;
  readonly requestCreatedAt?: string;
  readonly microsoftFirstResponseAt?: string;
  /** The escalation's start (the customer's report). */
  readonly startedAt: string;
  readonly customerNotifiedAt?: string;
}

/** Figures of one set of durations. */
export interface DurationFigures {
  /** How many have stopped (a response came). */
  readonly count: number;
  readonly medianMs?: number;
  readonly p90Ms?: number;
  /** Stopped late, or still running past the due time. */
  readonly breaches: number;
  /** Still running. */
  readonly open: number;
}

/** The response-time report. */
export interface ResponseTimeReport {
  readonly microsoft: readonly ({ readonly severity: Severity; readonly label: string; readonly targetHours: number } & DurationFigures)[];
  readonly partner: DurationFigures;
  /** UTC months (YYYY-MM) in which a due time passed without a response, oldest first. */
  readonly breachesByMonth: readonly { readonly month: string; readonly microsoft: number; readonly partner: number }[];
}

/**
 * The percentile `p` (0–1) of values by linear interpolation between closest ranks (as
 * spreadsheets' PERCENTILE.INC): the median is p = 0.5. Undefined for no values.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** The report's figures over stored records, at `now`. */
export function responseTimeReport(
  records: readonly ResponseRecord[],
  settings: { readonly plan: SupportPlan; readonly partnerTargets: PartnerTargets; readonly now: Date },
): ResponseTimeReport {
  const months = new Map<string, { microsoft: number; partner: number }>();
  const breach = (reading: ClockReading, side: 'microsoft' | 'partner'): void => {
    if (reading.state !== 'missed' && reading.state !== 'breached') return;
    const month = reading.dueAt.slice(0, 7);
    const counts = months.get(month) ?? { microsoft: 0, partner: 0 };
    counts[side]++;
    months.set(month, counts);
  };

  const bySeverity = new Map<Severity, ClockReading[]>();
  for (const record of records) {
    const severity = record.severity?.toLowerCase();
    if (!isSeverity(severity) || !record.requestCreatedAt || Number.isNaN(Date.parse(record.requestCreatedAt))) continue;
    const reading = readClock(record.requestCreatedAt, settings.plan[severity] * HOUR_MS, record.microsoftFirstResponseAt, settings.now);
    breach(reading, 'microsoft');
    bySeverity.set(severity, [...(bySeverity.get(severity) ?? []), reading]);
  }
  const partnerReadings = records.map((r) => partnerClock(r, settings.partnerTargets, settings.now));
  for (const reading of partnerReadings) breach(reading, 'partner');

  return {
    microsoft: (Object.keys(SEVERITIES) as Severity[]).map((severity) => ({
      severity,
      label: SEVERITIES[severity].label,
      targetHours: settings.plan[severity],
      ...figures(bySeverity.get(severity) ?? []),
    })),
    partner: figures(partnerReadings),
    breachesByMonth: [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([month, counts]) => ({ month, ...counts })),
  };
}

function figures(readings: readonly ClockReading[]): DurationFigures {
  const stopped = readings.filter((r) => r.stoppedAt !== undefined).map((r) => r.elapsedMs);
  const median = percentile(stopped, 0.5);
  const p90 = percentile(stopped, 0.9);
  return {
    count: stopped.length,
    ...(median === undefined ? {} : { medianMs: Math.round(median) }),
    ...(p90 === undefined ? {} : { p90Ms: Math.round(p90) }),
    breaches: readings.filter((r) => r.state === 'missed' || r.state === 'breached').length,
    open: readings.filter((r) => r.stoppedAt === undefined).length,
  };
}

/** Breaches in one UTC month, as the report's table shows it. */
export interface MonthBreaches {
  readonly month: string;
  readonly microsoft: number;
  readonly partner: number;
}

const MONTH = /^(\d{4})-(\d{2})$/;

/** The month after a YYYY-MM month. */
function nextMonth(month: string): string {
  const [, y, m] = MONTH.exec(month) ?? [];
  const date = new Date(Date.UTC(Number(y), Number(m), 1));
  return date.toISOString().slice(0, 7);
}

/**
 * Every UTC month from `fromMonth` to `toMonth` (YYYY-MM, inclusive) with its breaches, zero
 * where there were none, so a chart has no holes; a breach due after `toMonth` (a report
 * near the period's end is due after it) extends the list to its month. Months before
 * `fromMonth` are left out.
 */
export function breachesEveryMonth(byMonth: readonly MonthBreaches[], fromMonth: string, toMonth: string): MonthBreaches[] {
  if (!MONTH.test(fromMonth) || !MONTH.test(toMonth)) throw new RangeError('Months are written YYYY-MM.');
  const known = new Map(byMonth.map((m) => [m.month, m]));
  const last = [toMonth, ...byMonth.map((m) => m.month)].sort().at(-1) ?? toMonth;
  const out: MonthBreaches[] = [];
  for (let month = fromMonth; month <= last; month = nextMonth(month)) {
    out.push(known.get(month) ?? { month, microsoft: 0, partner: 0 });
  }
  return out;
}
