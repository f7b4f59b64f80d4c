/**
 * Runs SQLite's WAL checkpoints on a thread of their own. By default SQLite checkpoints inside
 * the commit that crosses 1,000 WAL pages: that commit copies the pages into the database file
 * and flushes it to disk, and better-sqlite3 is synchronous, so the bot's event loop stood still
 * for it (5–25 ms here, every hundred turns or so: the p99 of the turn-latency bench). With this
 * thread the bot's connection never checkpoints (`wal_autocheckpoint = 0`) while the thread
 * runs; if the thread fails, the connection goes back to checkpointing itself.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/** What the thread is started with. */
export interface CheckpointerSettings {
  readonly filename: string;
  /** How often it checkpoints. */
  readonly intervalMs: number;
}

/** The outcome of one checkpoint: WAL frames in the log and how many of them are now in the database file. */
export interface CheckpointReport {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/** What the main side tells the thread. */
export type CheckpointerCommand = 'stop';

/** What the thread tells the main side. */
type CheckpointerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'checkpoint'; readonly report: CheckpointReport }
  | { readonly kind: 'failed'; readonly reason: string };

/** Options of the checkpoint thread. */
export interface CheckpointerOptions extends CheckpointerSettings {
  readonly logger?: Logger;
  /** Called once if the thread stops checkpointing before `stop()`: the caller checkpoints itself again. */
  readonly onFailure: (reason: string) => void;
  /** Called after every checkpoint (tests watch the WAL being moved into the file). */
  readonly onCheckpoint?: (report: CheckpointReport) => void;
  /** Longest the thread may take to open its connection. */
  readonly startTimeoutMs?: number;
}

/** A running checkpoint thread. */
export interface WalCheckpointer {
  /** Runs a last checkpoint, closes the thread's connection and waits for the thread to end. */
  stop(): Promise<void>;
}

const WORKER_FILE = join(__dirname, 'sqlite-checkpoint-worker.js');
/** Longest `stop()` waits for the thread's last checkpoint before ending the thread. */
const STOP_TIMEOUT_MS = 5_000;

/** A thread's uncaught error, as text: errors of native addons arrive as plain objects (`{ code }`). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) return JSON.stringify(error);
  return String(error);
}

/** Starts the thread; resolves once its connection is open, rejects if it cannot open one. */
export function startWalCheckpointer(options: CheckpointerOptions): Promise<WalCheckpointer> {
  const settings: CheckpointerSettings = { filename: options.filename, intervalMs: options.intervalMs };
  const worker = new Worker(WORKER_FILE, { workerData: settings });
  // A database left open must not keep the process alive; a checkpoint cut short is crash-safe.
  worker.unref();
  let state: 'starting' | 'running' | 'stopping' | 'ended' = 'starting';
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  return new Promise<WalCheckpointer>((resolve, reject) => {
    const fail = (reason: string): void => {
      const was = state;
      state = 'ended';
      if (was === 'starting') {
        clearTimeout(timer);
        const error = new Error(`The WAL checkpoint thread did not start: ${reason}`);
        worker.terminate().then(
          () => reject(error),
          () => reject(error),
        );
      } else if (was === 'running') {
        options.logger?.warn({ reason }, 'WAL checkpoint thread stopped; the connection checkpoints itself again');
        options.onFailure(reason);
      }
    };
    const timer = setTimeout(() => fail('it did not open its connection in time'), options.startTimeoutMs ?? 10_000);
    worker.on('message', (message: CheckpointerMessage) => {
      if (message.kind === 'ready' && state === 'starting') {
        clearTimeout(timer);
        state = 'running';
        resolve({
          stop: async () => {
            if (state === 'running') {
              state = 'stopping';
              worker.postMessage('stop' satisfies CheckpointerCommand);
            }
            // A thread stuck in its last checkpoint is ended; the checkpoint is crash-safe.
            const stuck = setTimeout(() => {
              worker.terminate().catch(() => undefined);
            }, STOP_TIMEOUT_MS);
            await exited;
            clearTimeout(stuck);
            state = 'ended';
          },
        });
      } else if (message.kind === 'checkpoint') {
        options.onCheckpoint?.(message.report);
      } else if (message.kind === 'failed') {
        fail(message.reason);
      }
    });
    worker.on('error', (error: unknown) => fail(reasonOf(error)));
    worker.on('exit', (code) => {
      if (state === 'starting' || state === 'running') fail(`it exited with code ${code}`);
    });
  });
}
