/**
 * Formatting shared by the cards: a time is shown to the minute on the reader's own wall
 * clock, with the zone named, so two engineers in different zones read the same instant
 * correctly ("2026-12-05 01:05 Asia/Seoul", "2026-12-04 08:05 America/Los_Angeles").
 */
import { TimeZone } from '../domain/local-time';

/** Whose clock a time is shown on: a Translator carries the reader's zone. */
export interface TimeReader {
  /** Undefined when the reader's client did not say: UTC is shown, named. */
  readonly timeZone?: TimeZone;
}

/** An instant on the reader's wall clock with the zone named; empty for no time. */
export function shownTime(reader: TimeReader, iso: string | undefined): string {
  if (!iso) return '';
  const local = (reader.timeZone ?? TimeZone.utc).wallClock(iso);
  return local ? `${local.date} ${local.time} ${local.zone}` : '';
}

/** `2026-11-25T09:05:12.000Z` → `2026-11-25 09:05`; empty for no time. For text that says "UTC" itself. */
export function utcMinute(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '';
}
