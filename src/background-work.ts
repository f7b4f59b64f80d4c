/**
 * Work that finishes after a turn has answered (a slow upstream lookup completing a card).
 * Every task is tracked and awaited on shutdown, never fire-and-forget; a task lost to a crash
 * is recovered by the flow itself (the escalation keeps the step it waits at).
 */
import type { Logger } from './log';

/** The tracked background tasks of one process. */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Runs a task in the background; its failure is logged, never thrown at nobody. */
  run(name: string, task: () => Promise<void>): void {
    const tracked: Promise<void> = task()
      .catch((error: unknown) => this.logger.error({ err: error, task: name }, 'background task failed'))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** How many tasks are still running. */
  size(): number {
    return this.pending.size;
  }

  /** Resolves when every task started so far has finished. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
