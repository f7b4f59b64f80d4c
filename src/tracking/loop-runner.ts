/**
 * Starts and stops one background loop: at most one runs, `stop()` aborts it and waits for
 * the round in progress, so nothing is left running behind a shutdown.
 */
export class LoopRunner {
  private running: Promise<void> | undefined;
  private abort: AbortController | undefined;

  /** Starts `loop` unless one is running; resolves at once. The loop must end when the signal aborts. */
  start(loop: (signal: AbortSignal) => Promise<void>, prepare?: (signal: AbortSignal) => void): void {
    if (this.running) return;
    const abort = new AbortController();
    prepare?.(abort.signal);
    this.abort = abort;
    this.running = loop(abort.signal);
  }

  /** Aborts the loop and waits for it to end. */
  async stop(): Promise<void> {
    this.abort?.abort();
    const running = this.running;
    this.running = undefined;
    await running;
  }
}
