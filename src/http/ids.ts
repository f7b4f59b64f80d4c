/** Request identifiers for upstream calls. */
import { randomUUID } from 'node:crypto';

/** A new random GUID, as Partner Center expects in MS-RequestId and MS-CorrelationId. */
export function newRequestId(): string {
  return randomUUID();
}
