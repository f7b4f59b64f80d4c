/**
 * The record of health-consent grants made from the desk, one document per customer: the
 * request id (Partner Center's MS-RequestId) is written before the request is sent, so a grant
 * whose outcome was lost (a timeout, a restart) is asked again as the same request, and who
 * asked, when, and what came of it stay on record.
 */
import { newRequestId } from '../http/ids';
import type { DocumentStore } from '../store/types';
import { readDocument, updateDocument } from '../support/documents';
import type { ConsentOutcome } from './consent';

/** Where a grant stands. */
export type ConsentStatus = 'sending' | ConsentOutcome['kind'];

/** One customer's last grant from the desk. */
export interface ConsentRecord extends Record<string, unknown> {
  /** MS-RequestId of the grant: reused while its outcome is unknown. */
  readonly requestId: string;
  readonly status: ConsentStatus;
  /** The partner admin's Entra object id. */
  readonly by: string;
  readonly at: string;
  /** Whether service health could be read right after. */
  readonly verified?: 'readable' | 'unreadable';
}

/** The grants, in the documents table. */
export class ConsentLedger {
  constructor(private readonly documents: DocumentStore) {}

  /**
   * Records a grant about to be sent and gives its request id: the earlier one when a grant of
   * this customer is still `sending` (its outcome never came back), a new one otherwise.
   */
  async begin(customerTenantId: string, by: string, at: Date): Promise<string> {
    const next = await updateDocument<ConsentRecord>(this.documents, key(customerTenantId), (current) => ({
      requestId: current?.status === 'sending' ? current.requestId : newRequestId(),
      status: 'sending',
      by,
      at: at.toISOString(),
    }));
    return next.requestId;
  }

  /** Records what came of the grant with `requestId` (a later grant's record is left alone). */
  async finish(customerTenantId: string, requestId: string, status: ConsentOutcome['kind'], by: string, at: Date, verified?: 'readable' | 'unreadable'): Promise<void> {
    await updateDocument<ConsentRecord>(this.documents, key(customerTenantId), (current) => {
      if (current && current.requestId !== requestId) return current;
      return { ...(current ?? { requestId, by, at: at.toISOString() }), status, ...(verified ? { verified } : {}) };
    });
  }

  /** The customer's last grant, if any. */
  get(customerTenantId: string): Promise<ConsentRecord | undefined> {
    return readDocument<ConsentRecord>(this.documents, key(customerTenantId));
  }
}

function key(customerTenantId: string): string {
  return `access/consent/${customerTenantId.toLowerCase()}`;
}
