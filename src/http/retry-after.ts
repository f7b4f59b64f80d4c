/**
 * `Retry-After` (RFC 9110 §10.2.3): either a number of seconds or an HTTP date.
 */

/** Milliseconds to wait according to a Retry-After value, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  // A date in the past means "now": never a negative wait.
  return Math.max(0, at - now.getTime());
}
