/**
 * A local stand-in for the Bot Framework connector (the service a bot replies to): records
 * every activity sent or updated, and answers with faults on demand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  readonly conversationId: string;
  readonly activity: Record<string, unknown>;
  readonly authorization?: string;
}

/** A fault to answer the next matching call with. */
export interface ConnectorFault {
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly code?: string;
}

/** The running double. */
export class ConnectorDouble {
  readonly calls: ConnectorCall[] = [];
  private readonly faults: ConnectorFault[] = [];
  private server?: Server;
  private nextId = 1;

  /** The serviceUrl to put into activities sent to the bot. */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answers the next calls with these faults, in order, before answering normally again. */
  failNext(...faults: ConnectorFault[]): void {
    this.faults.push(...faults);
  }

  /** Activities sent (POST) so far, in order. */
  sent(): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === 'POST').map((c) => c.activity);
  }

  /** Resolves once `count` activities have been sent, or rejects after `timeoutMs`. */
  async waitForSent(count: number, timeoutMs = 5000): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.sent().length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} activities, got ${this.sent().length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.sent();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '';
    const match = /\/v3\/conversations\/([^/]+)\/activities/.exec(path);
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"NotFound"}}');
      return;
    }
    const fault = this.faults.shift();
    if (fault) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify({ error: { code: fault.code ?? 'Fault', message: 'injected' } }));
      return;
    }
    this.calls.push({
      method: req.method ?? 'GET',
      path,
      conversationId: decodeURIComponent(match[1] ?? ''),
      activity: body ? (JSON.parse(body) as Record<string, unknown>) : {},
      authorization: req.headers.authorization,
    });
    // restify patches http.ServerResponse process-wide, so writeHead is not chainable here.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `activity-${this.nextId++}` }));
  }
}
