/**
 * Reading what a card submitted: free text bounded and trimmed, the names of the fields that
 * failed (for the error banner), and the submitted values echoed back into a card to correct.
 */
import { z } from 'zod';
import type { Translator } from '../../i18n';

/** Required free text of at most `max` characters, trimmed. Build each once: zod compiles a schema on its first parse. */
export const text = (max: number) => z.string().trim().min(1).max(max);


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

/**
 * The label each submitted field has on its card (a locale key), so a validation message names
 * what the engineer sees, never the input's id. A field without a label here is named by the
 * generic "a field of this card" (an input the card does not show, e.g. a missing flow id).
 */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  customerTenantId: 'cards.escalate-describe.customer',
  service: 'cards.escalate-describe.service',
  title: 'cards.escalate-describe.problemTitle',
  description: 'cards.escalate-describe.description',
  sinceDate: 'cards.escalate-describe.sinceDate',
  sinceTime: 'cards.escalate-describe.sinceTime',
  usersAffected: 'cards.escalate-describe.users',
  regions: 'cards.escalate-describe.regions',
  notSameReason: 'cards.escalate-match.reasonLabel',
  category: 'cards.escalate-triage.category',
  severity: 'cards.escalate-triage.severity',
  businessImpact: 'cards.escalate-triage.impact',
  contact: 'cards.escalate-triage.contact',
  answer: 'cards.notify-attention.answerLabel',
  customerMessage: 'cards.notify-resolved.draftLabel',
  notifiedContact: 'cards.notify-resolved.contactLabel',
  stillBrokenReason: 'cards.notify-resolved.stillBrokenLabel',
};

/** The card labels of the fields to correct, in the reader's language (the time zone named where the label names it). */
export function fieldLabels(tr: Translator, fields: readonly string[]): string {
  const zone = tr.timeZone?.name ?? 'UTC';
  const labels = fields.map((f) => {
    const key = FIELD_LABELS[f];
    return key ? `“${tr.t(key, { zone })}”` : tr.t('flow.errors.otherField');
  });
  return [...new Set(labels)].join(', ');
}

/** "Please check these fields", naming them by their labels. */
export function invalidFields(tr: Translator, fields: readonly string[]): string {
  return tr.t('flow.errors.invalid', { fields: fieldLabels(tr, fields) });
}

/** The names of the fields a failed validation names (input ids; `fieldLabels` turns them into labels). */
export function fieldNamesOf(error: z.ZodError): string[] {
  return [...new Set(error.issues.map((i) => String(i.path[0] ?? 'input')))];
}
