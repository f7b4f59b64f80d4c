/**
 * The body of the WAL checkpoint thread (see sqlite-checkpointer.ts): its own connection to
 * the database file, a PASSIVE checkpoint every interval, and a last one when told to stop.
 * A PASSIVE checkpoint never waits for or blocks the bot's connection; the disk flush it ends
 * with happens here instead of inside one of the bot's commits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckpointReport, CheckpointerSettings, CheckpointerCommand } from './sqlite-checkpointer';

function run(port: NonNullable<typeof parentPort>, settings: CheckpointerSettings): void {
  const db = new BetterSqlite3(settings.filename, { fileMustExist: true });
  // The bot's connection owns the file's settings (WAL, synchronous); this one only checkpoints.
  db.pragma('busy_timeout = 0');
  const checkpoint = (): CheckpointReport => {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    return { busy: row?.busy ?? 0, log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 };
  };
  const tick = (): void => {
    try {
      port.postMessage({ kind: 'checkpoint', report: checkpoint() });
    } catch (error) {
      // The port's close ends the thread; the main side then checkpoints on its own connection.
      port.postMessage({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) });
      clearInterval(timer);
      db.close();
      port.close();
    }
  };
  const timer = setInterval(tick, settings.intervalMs);
  port.on('message', (command: CheckpointerCommand) => {
    if (command !== 'stop') return;
    clearInterval(timer);
    try {
      checkpoint();
    } finally {
      // Closing the port ends the thread: the main side waits for its exit.
      db.close();
      port.close();
    }
  });
  port.postMessage({ kind: 'ready' });
}

if (parentPort) {
  try {
    run(parentPort, workerData as CheckpointerSettings);
  } catch (error) {
    // Said in a message: an error thrown across the thread boundary loses its text.
    parentPort.postMessage({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) });
    parentPort.close();
  }
}
