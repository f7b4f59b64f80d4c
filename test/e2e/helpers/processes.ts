/**
 * Child processes for the end-to-end tests: started with a captured (bounded) output, waited for
 * by a line they print or an HTTP answer, and always stopped (SIGTERM, then SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordChildOutput } from '../../helpers/run-log';

const MAX_OUTPUT_CHARS = 200_000;

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** A started child process and what it printed. */
export class ChildService {
  private output = '';
  private readonly exited: Promise<void>;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private running = true;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const capture = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
      if (this.output.length > MAX_OUTPUT_CHARS) this.output = this.output.slice(-MAX_OUTPUT_CHARS);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.running = false;
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      child.once('error', (error) => {
        this.output += `\n[spawn error] ${error.message}\n`;
        this.running = false;
        resolve();
      });
    });
  }

  /** Spawns `command args` with exactly `env` (no shell), output piped into this object. */
  static start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ChildService {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    recordChildOutput(child, env);
    return new ChildService(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Everything printed so far (the last 200,000 characters). */
  get text(): string {
    return this.output;
  }

  /** The last `lines` lines printed, for a failure report. */
  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** Waits until the output matches `pattern`; fails if the process exits or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 1000 && Date.now() < deadline; i += 1) {
      const found = this.output.match(pattern);
      if (found) return found;
      if (!this.running) break;
      await sleep(50);
    }
    const why = this.running ? `did not print ${String(pattern)} within ${timeoutMs} ms` : `exited (${this.describeExit()}) before printing ${String(pattern)}`;
    throw new Error(`${this.name} ${why}:\n${this.tail()}`);
  }

  /** Waits until `url` answers 2xx; fails if the process exits or time runs out. */
  async waitForHttp(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 1000 && Date.now() < deadline; i += 1) {
      if (!this.running) break;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    const why = this.running ? `did not answer ${url} within ${timeoutMs} ms` : `exited (${this.describeExit()}) before answering ${url}`;
    throw new Error(`${this.name} ${why}:\n${this.tail()}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped && this.running) {
      this.child.kill('SIGKILL');
      await Promise.race([this.exited, sleep(2_000)]);
    }
  }

  /** Last resort when the test process itself is exiting: no waiting possible. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  private describeExit(): string {
    return this.exitSignal ?? `code ${String(this.exitCode)}`;
  }
}
