/**
 * A support provider without any Microsoft API: the engineer reports what Microsoft said
 * (status changes, notes) and this provider keeps it, in the documents table, so nothing is
 * lost on restart. The tracker then sees those changes like any other source's.
 */
import type { Clock } from '../domain/clock';
import type { DocumentStore } from '../store/types';
import { readDocument, updateDocument } from './documents';
import {
  UnknownServiceRequestError,
  isValidServiceRequestId,
  type ServiceRequest,
  type ServiceRequestNote,
  type SettableStatus,
  type SupportProvider,
} from './types';

/** Dependencies of the manual provider. */
export interface ManualSupportOptions {
  readonly documents: DocumentStore;
  readonly clock: Clock;
}

/** What is stored per request. */
interface ManualDocument extends Record<string, unknown> {
  readonly status: SettableStatus;
  readonly notes: readonly ServiceRequestNote[];
  readonly createdDate: string;
  readonly lastModifiedDate: string;
  readonly lastClosedDate?: string;
}

/** Service requests as the engineer reports them. */
export class ManualSupportProvider implements SupportProvider {
  readonly source = 'manual' as const;

  constructor(private readonly options: ManualSupportOptions) {}

  /** The request as last reported; a number never reported is an open request with no notes. */
  async getRequest(id: string): Promise<ServiceRequest> {
    assertId(id);
    const doc = await readDocument<ManualDocument>(this.options.documents, key(id));
    return render(id, doc ?? this.fresh());
  }

  /** No customer index is kept: nothing is listed. */
  listCustomerRequests(): Promise<readonly ServiceRequest[]> {
    return Promise.resolve([]);
  }

  /** Keeps a note the engineer reports. */
  async addNote(id: string, text: string, author = 'Partner'): Promise<ServiceRequest> {
    assertId(id);
    const at = this.options.clock.now().toISOString();
    const doc = await updateDocument<ManualDocument>(this.options.documents, key(id), (current) => {
      const base = current ?? this.fresh();
      return { ...base, notes: [...base.notes, { createdByName: author, createdDate: at, text }], lastModifiedDate: at };
    });
    return render(id, doc);
  }

  /** Keeps a status the engineer reports (e.g. "Microsoft asked for logs", "Microsoft closed it"). */
  async setStatus(id: string, status: SettableStatus): Promise<ServiceRequest> {
    assertId(id);
    const at = this.options.clock.now().toISOString();
    const doc = await updateDocument<ManualDocument>(this.options.documents, key(id), (current) => ({
      ...(current ?? this.fresh()),
      status,
      lastModifiedDate: at,
      ...(status === 'closed' ? { lastClosedDate: at } : {}),
    }));
    return render(id, doc);
  }

  private fresh(): ManualDocument {
    const at = this.options.clock.now().toISOString();
    return { status: 'open', notes: [], createdDate: at, lastModifiedDate: at };
  }
}

function render(id: string, doc: ManualDocument): ServiceRequest {
  return {
    id,
    title: '',
    description: '',
    severity: 'unknown',
    status: doc.status,
    supportTopicName: '',
    productName: '',
    createdDate: doc.createdDate,
    lastModifiedDate: doc.lastModifiedDate,
    ...(doc.lastClosedDate ? { lastClosedDate: doc.lastClosedDate } : {}),
    notes: doc.notes,
  };
}

function assertId(id: string): void {
  if (!isValidServiceRequestId(id)) throw new UnknownServiceRequestError(id);
}

function key(id: string): string {
  return `support/manual/${id}`;
}
