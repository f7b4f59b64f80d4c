/**
 * The connector double enforcing Teams' limits, run on a worker thread. In the bench's own
 * process the double stamped a request's arrival when the event loop got to it: a synchronous
 * SQLite write or a round of 300 tracker polls held a burst of requests back and then stamped
 * them all at once, so the double counted bunches Teams would never see. On its own thread it
 * stamps them as they come.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ConnectorLimit } from '../../test/helpers/connector-double';

/** One call as the double recorded it. */
export interface ThreadedCall {
  readonly method: string;
  readonly conversationId: string;
  /** The notification's idempotency key, when the activity carries one. */
  readonly key?: string;
}

/** What the double has seen so far. */
export interface ConnectorSnapshot {
  readonly calls: readonly ThreadedCall[];
  readonly throttled: number;
}

type Reply = { readonly kind: 'ready'; readonly url: string } | ({ readonly kind: 'snapshot' } & ConnectorSnapshot) | { readonly kind: 'stopped' };

/** The double on its thread: its URL, what it saw, and how to stop it. */
export class ThreadedConnector {
  private constructor(
    private readonly worker: Worker,
    readonly url: string,
  ) {}

  static async start(limits: readonly ConnectorLimit[], tenantLimits: readonly ConnectorLimit[]): Promise<ThreadedConnector> {
    const worker = new Worker(join(__dirname, 'connector-thread-main.js'), { workerData: { limits, tenantLimits } });
    const ready = await reply(worker, 'ready');
    return new ThreadedConnector(worker, ready.url);
  }

  /** The calls and 429s so far. */
  async snapshot(): Promise<ConnectorSnapshot> {
    const answer = reply(this.worker, 'snapshot');
    this.worker.postMessage('snapshot');
    return answer;
  }

  async stop(): Promise<void> {
    const answer = reply(this.worker, 'stopped');
    this.worker.postMessage('stop');
    await answer;
    await this.worker.terminate();
  }
}

/** The next message of `kind` from the thread. */
function reply<K extends Reply['kind']>(worker: Worker, kind: K): Promise<Extract<Reply, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Reply): void => {
      if (message.kind !== kind) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message as Extract<Reply, { kind: K }>);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/** POSTs per idempotency key (more than one: a duplicate delivery). */
export function deliveriesByKey(calls: readonly ThreadedCall[]): Map<string, ThreadedCall[]> {
  const byKey = new Map<string, ThreadedCall[]>();
  for (const c of calls) {
    if (c.method !== 'POST' || c.key === undefined) continue;
    const list = byKey.get(c.key) ?? [];
    list.push(c);
    byKey.set(c.key, list);
  }
  return byKey;
}
