/**
 * A support provider that plays Microsoft, for demos and local runs: any valid request number
 * becomes a request linked at the moment it is first read; it stays `open`, turns
 * `attention_needed` with one question from "Microsoft Support" (every request, so a newcomer
 * always sees the attention card), back to `open` once the partner answers, and is `closed`
 * with a closing note, on a short fixed schedule. The link time and the partner's notes live in
 * the documents table, so the story continues across restarts.
 */
import type { Clock } from '../domain/clock';
import type { DocumentStore } from '../store/types';
import { readDocument, updateDocument } from './documents';
import {
  UnsupportedSupportOperationError,
  isValidServiceRequestId,
  type ServiceRequest,
  type ServiceRequestNote,
  type SettableStatus,
  type SupportProvider,
  UnknownServiceRequestError,
} from './types';

/** When the sandbox's Microsoft acts, counted from the moment a request is linked. */
export interface SandboxSchedule {
  /** Microsoft asks a question after this long (default 60 s). */
  readonly attentionAfterMs: number;
  /** Microsoft closes the request after this long (default 120 s). */
  readonly closeAfterMs: number;
  /** Whether Microsoft asks its one question on every request (default) or on none. */
  readonly asks: 'always' | 'never';
}

/** The default schedule. */
export const DEFAULT_SANDBOX_SCHEDULE: SandboxSchedule = Object.freeze({
  attentionAfterMs: 60_000,
  closeAfterMs: 120_000,
  asks: 'always',
});

/** Dependencies of the sandbox provider. */
export interface SandboxSupportOptions {
  readonly documents: DocumentStore;
  readonly clock: Clock;
  readonly schedule?: Partial<SandboxSchedule>;
}

/** The name Microsoft's notes carry. */
export const SANDBOX_MICROSOFT_NAME = 'Microsoft Support';

/** What the sandbox stores per request. */
interface SandboxDocument extends Record<string, unknown> {
  readonly linkedAt: string;
  readonly partnerNotes: readonly ServiceRequestNote[];
  readonly closedByPartnerAt?: string;
}

/** The sandbox support provider. */
export class SandboxSupportProvider implements SupportProvider {
  readonly source = 'sandbox' as const;
  private readonly schedule: SandboxSchedule;

  constructor(private readonly options: SandboxSupportOptions) {
    this.schedule = { ...DEFAULT_SANDBOX_SCHEDULE, ...options.schedule };
  }

  /** The request as the sandbox's Microsoft has it now; linked on first read. */
  async getRequest(id: string): Promise<ServiceRequest> {
    if (!isValidServiceRequestId(id)) throw new UnknownServiceRequestError(id);
    const stored = await readDocument<SandboxDocument>(this.options.documents, key(id));
    if (stored) return this.render(id, stored);
    // Linked now. As in updateDocument, a missing document is written unconditionally: two
    // first reads at the same moment write equivalent fresh documents. No second read.
    const doc = this.fresh();
    await this.options.documents.write([{ key: key(id), value: doc }]);
    return this.render(id, doc);
  }

  /** The sandbox has no customer index: nothing is listed. */
  listCustomerRequests(): Promise<readonly ServiceRequest[]> {
    return Promise.resolve([]);
  }

  /** Records the partner's note (which answers a pending question). */
  async addNote(id: string, text: string, author = 'Partner'): Promise<ServiceRequest> {
    if (!isValidServiceRequestId(id)) throw new UnknownServiceRequestError(id);
    const note: ServiceRequestNote = { createdByName: author, createdDate: this.options.clock.now().toISOString(), text };
    const doc = await updateDocument<SandboxDocument>(this.options.documents, key(id), (current) => {
      const base = current ?? this.fresh();
      return { ...base, partnerNotes: [...base.partnerNotes, note] };
    });
    return this.render(id, doc);
  }

  /** Only closing is possible, as in Partner Center. */
  async setStatus(id: string, status: SettableStatus): Promise<ServiceRequest> {
    if (!isValidServiceRequestId(id)) throw new UnknownServiceRequestError(id);
    if (status !== 'closed') throw new UnsupportedSupportOperationError('Only closing a service request is possible.');
    const at = this.options.clock.now().toISOString();
    const doc = await updateDocument<SandboxDocument>(this.options.documents, key(id), (current) => {
      const base = current ?? this.fresh();
      return base.closedByPartnerAt ? base : { ...base, closedByPartnerAt: at };
    });
    return this.render(id, doc);
  }

  private fresh(): SandboxDocument {
    return { linkedAt: this.options.clock.now().toISOString(), partnerNotes: [] };
  }

  private render(id: string, doc: SandboxDocument): ServiceRequest {
    const now = this.options.clock.now().getTime();
    const linked = Date.parse(doc.linkedAt);
    const attentionAt = linked + this.schedule.attentionAfterMs;
    const closeAt = linked + this.schedule.closeAfterMs;
    const asks = this.schedule.asks === 'always' && attentionAt < closeAt;
    const notes: ServiceRequestNote[] = [];
    if (asks && now >= attentionAt) {
      notes.push({
        createdByName: SANDBOX_MICROSOFT_NAME,
        createdDate: new Date(attentionAt).toISOString(),
        text: 'Could you share the message trace and the time the problem was first seen?',
      });
    }
    notes.push(...doc.partnerNotes);
    const partnerClosed = doc.closedByPartnerAt ? Date.parse(doc.closedByPartnerAt) : undefined;
    let status: ServiceRequest['status'] = 'open';
    let closedAt: number | undefined;
    if (partnerClosed !== undefined && partnerClosed < closeAt) {
      status = 'closed';
      closedAt = partnerClosed;
    } else if (now >= closeAt) {
      status = 'closed';
      closedAt = closeAt;
      notes.push({
        createdByName: SANDBOX_MICROSOFT_NAME,
        createdDate: new Date(closeAt).toISOString(),
        text: 'The issue is fixed on our side. Closing this request; reply to reopen it.',
      });
    } else if (asks && now >= attentionAt) {
      const answered = doc.partnerNotes.some((n) => Date.parse(n.createdDate) >= attentionAt);
      status = answered ? 'open' : 'attention_needed';
    }
    notes.sort((a, b) => Date.parse(a.createdDate) - Date.parse(b.createdDate));
    const lastEvent = Math.min(now, Math.max(linked, ...notes.map((n) => Date.parse(n.createdDate))));
    return {
      id,
      title: `Sandbox request ${id}`,
      description: 'A request played by the Escalation Desk sandbox; no Microsoft engineer will see it.',
      severity: 'moderate',
      status,
      supportTopicName: 'Sandbox',
      productName: 'Microsoft 365',
      createdDate: doc.linkedAt,
      lastModifiedDate: new Date(lastEvent).toISOString(),
      ...(closedAt !== undefined ? { lastClosedDate: new Date(closedAt).toISOString() } : {}),
      notes,
    };
  }
}

function key(id: string): string {
  return `support/sandbox/${id}`;
}
