/**
 * Reading what a card submitted: free text bounded and trimmed, the names of the fields that
 * failed (for the error banner), and the submitted values echoed back into a card to correct.
 */
import { z } from 'zod';

/** Required free text of at most `max` characters, trimmed. Build each once: zod compiles a schema on its first parse. */
export const text = (max: number) => z.string().trim().min(1).max(max);

/** Field names of a failed validation, for the error banner. */
export function fieldsOf(error: z.ZodError): string {
  return [...new Set(error.issues.map((i) => String(i.path[0] ?? 'input')))].join(', ');
}

/** Only string values of the submitted data, each cut to a sane length, to echo back into a card. */
export function echo(data: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v).slice(0, 4000);
  return out;
}

/** A submitted string, trimmed; empty when the field is missing or not text. */
export function field(data: Readonly<Record<string, unknown>>, name: string, max = Number.POSITIVE_INFINITY): string {
  const value = data[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}
