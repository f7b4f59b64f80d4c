/**
 * Which escalations are polled, derived from the record itself so the tracking row changes in
 * the same transaction as the escalation: a linked service request while `escalated` or
 * `attention_needed`, a watched incident while `known_issue`; nothing otherwise.
 */
import type { Escalation } from '../domain/escalation';
import { flowOf } from '../domain/flow';
import type { TrackingTarget } from './queues';

/** The `details` field holding the linked Microsoft service request number. */
export const SERVICE_REQUEST_ID_DETAIL = 'serviceRequestId';

/** What to poll for an escalation in its current state, or undefined when nothing is. */
export function trackingTargetOf(escalation: Escalation): TrackingTarget | undefined {
  const detail = (name: string): string | undefined => {
    const value = escalation.details[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  if (escalation.state === 'escalated' || escalation.state === 'attention_needed') {
    const ref = detail(SERVICE_REQUEST_ID_DETAIL);
    return ref ? { kind: 'service_request', ref, tenantId: escalation.customer.tenantId } : undefined;
  }
  if (escalation.state === 'known_issue') {
    // The flow records the confirmed known issue; its id is what is watched.
    const ref = flowOf(escalation).knownIssue?.id?.trim();
    return ref ? { kind: 'health_issue', ref, tenantId: escalation.customer.tenantId } : undefined;
  }
  return undefined;
}
