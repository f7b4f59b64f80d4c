/** Formatting shared by the cards: times are shown in UTC to the minute. */

/** `2026-11-25T09:05:12.000Z` → `2026-11-25 09:05`; empty for no time. */
export function utcMinute(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '';
}
