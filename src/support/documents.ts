/**
 * Read-modify-write of one provider document with eTag concurrency, shared by the manual and
 * sandbox providers (their state lives in the documents table, so a restart loses nothing).
 */
import { ETagConflictError, type DocumentStore } from '../store/types';

/** Applies `change` to the document at `key` (undefined when absent) and stores the result, retrying lost races. */
export async function updateDocument<T extends Record<string, unknown>>(
  documents: DocumentStore,
  key: string,
  change: (current: T | undefined) => T,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const stored = (await documents.read([key])).get(key);
    const next = change(stored?.value as T | undefined);
    try {
      // A missing document is created unconditionally (no eTag exists yet); two first writers
      // at the same moment write equivalent fresh documents, so the race is harmless.
      await documents.write([{ key, value: next, eTag: stored?.eTag }]);
      return next;
    } catch (error) {
      if (!(error instanceof ETagConflictError) || attempt >= attempts) throw error;
    }
  }
}

/** Reads one provider document. */
export async function readDocument<T>(documents: DocumentStore, key: string): Promise<T | undefined> {
  return (await documents.read([key])).get(key)?.value as T | undefined;
}
