/**
 * The escalation id a flow gets: derived from the flow id its describe card carries, so the same
 * card submitted twice (a double press, a retry, a second channel member) names one escalation,
 * and short enough to type (`status ED-7K2M9Q4P`).
 */
import { createHash } from 'node:crypto';

/** Crockford's base 32: no I, L, O or U, so an id read aloud or typed is not mistaken. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The escalation id of a flow: `ED-` and eight Crockford base-32 characters of the flow id's SHA-256. */
export function escalationIdFor(flowId: string): string {
  const digest = createHash('sha256').update(flowId).digest();
  let id = '';
  for (let i = 0; i < 8; i += 1) id += CROCKFORD[(digest[i] ?? 0) % 32];
  return `ED-${id}`;
}
