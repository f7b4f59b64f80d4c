/**
 * The response clocks as the reader reads them ("Microsoft · Sev A · first response due
 * 2026-12-05 14:20 Asia/Seoul · 35 min left", "answered in 1 h 10 min", "late by 20 min"), the
 * reminders they give. Pure: readings in, localized text out, times on the reader's clock.
 */
import type { DueClockReminder, EscalationClocks } from '../domain/escalation-clocks';
import type { Escalation } from '../domain/escalation';
import type { ClockReading } from '../domain/response-clocks';
import { detailsOf } from '../domain/details';
import type { Localizer, Translator } from '../i18n';
import { shownTime } from './format';
import { inert } from './inert';
import { cardActivity, renderReminder, type CardMessage } from './notification-cards';
import type { CardRenderer } from './renderer';

const MINUTE_MS = 60_000;

/** A duration in the reader's words: "35 min", "1 h 10 min", "2 d 3 h". */
export function durationText(tr: Translator, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / MINUTE_MS));
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  if (d > 0) return h > 0 ? tr.t('clocks.duration.daysHours', { d, h }) : tr.t('clocks.duration.days', { d });
  if (h > 0) return m > 0 ? tr.t('clocks.duration.hoursMinutes', { h, m }) : tr.t('clocks.duration.hours', { h });
  return tr.t('clocks.duration.minutes', { m });
}

/** How a clock line is coloured on a card (Adaptive Cards' TextBlock colors): calm while running, amber at 80 %, red when late. */
export type ClockColor = 'Default' | 'Good' | 'Warning' | 'Attention';

/** One clock as a line of a card. */
export interface ClockLine {
  readonly text: string;
  readonly color: ClockColor;
}

const COLORS: Readonly<Record<ClockReading['state'], ClockColor>> = { running: 'Default', warning: 'Warning', breached: 'Attention', met: 'Good', missed: 'Attention' };

/** A clock's reading as a line: `side` names whose clock (Microsoft's first response, or the partner's own). */
export function clockLine(tr: Translator, side: 'microsoft' | 'partner', reading: ClockReading, label = ''): ClockLine {
  const text = tr.t(`clocks.${side}.${reading.state}`, {
    label,
    due: shownTime(tr, reading.dueAt),
    left: durationText(tr, reading.remainingMs),
    late: durationText(tr, -reading.remainingMs),
    elapsed: durationText(tr, reading.elapsedMs),
  });
  return { text, color: COLORS[reading.state] };
}

/** Both clocks of an escalation as card lines, Microsoft's first. */
export function clockLines(tr: Translator, clocks: EscalationClocks | undefined): readonly ClockLine[] {
  if (!clocks) return [];
  return [
    ...(clocks.microsoft ? [clockLine(tr, 'microsoft', clocks.microsoft.reading, clocks.microsoft.label)] : []),
    ...(clocks.partner ? [clockLine(tr, 'partner', clocks.partner)] : []),
  ];
}

/**
 * A clock reminder's text, with what to do: call Microsoft with the request number or raise the
 * severity (Microsoft's clock), tell the customer where it stands (the partner's own).
 */
export function clockReminderText(tr: Translator, e: Escalation, due: DueClockReminder): string {
  const reading = due.side === 'microsoft' ? due.clocks.microsoft?.reading : due.clocks.partner;
  return tr.t(`clocks.reminders.${due.side}.${due.reminder}`, {
    id: e.id,
    customer: inert(e.customer.name),
    request: due.clocks.microsoft?.requestId ?? '',
    label: due.clocks.microsoft?.label ?? '',
    due: shownTime(tr, reading?.dueAt),
    left: durationText(tr, reading?.remainingMs ?? 0),
    late: durationText(tr, -(reading?.remainingMs ?? 0)),
  });
}

/** Renders a clock reminder as the reminder card, in the owner's language and on the clock they described the problem on. */
export function clockReminderRenderer(cards: CardRenderer, localizer: Localizer): (due: DueClockReminder, escalation: Escalation) => CardMessage {
  return (due, e) => {
    const details = detailsOf(e);
    const tr = localizer.forLocale(details.locale, details.timeZone);
    return { activity: cardActivity(renderReminder(cards, tr, { escalation: e, text: clockReminderText(tr, e, due) })) };
  };
}
