/**
 * botbuilder's `Storage` over our durable `DocumentStore`: conversation and user state
 * (dialog stacks included) live in the database, so a restart loses no dialog.
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { DocumentStore, DocumentWrite } from '../store/types';

/** Adapts a `DocumentStore` to botbuilder's `Storage` contract (eTag concurrency included). */
export class DocumentBotStorage implements Storage {
  constructor(private readonly documents: DocumentStore) {}

  /** Reads the items that exist; each carries the eTag it was stored with. */
  async read(keys: string[]): Promise<StoreItems> {
    const found = await this.documents.read(keys);
    const items: StoreItems = {};
    for (const [key, doc] of found) items[key] = { ...doc.value, eTag: doc.eTag };
    return items;
  }

  /** Writes items; an item whose eTag is stale makes the whole write fail. */
  async write(changes: StoreItems): Promise<void> {
    const writes: DocumentWrite[] = Object.entries(changes).map(([key, item]) => {
      const { eTag, ...value } = (item ?? {}) as Record<string, unknown>;
      return { key, value, eTag: typeof eTag === 'string' ? eTag : undefined };
    });
    if (writes.length > 0) await this.documents.write(writes);
  }

  /** Deletes items; missing keys are ignored. */
  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.documents.delete(keys);
  }
}
