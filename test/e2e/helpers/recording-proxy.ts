/**
 * A pass-through HTTP proxy between the Agents Playground and the bot's `/api/messages`: it
 * forwards every request and records the activity and the bot's answer, so the test can check
 * what the bot really received (and spot what it mishandled). The playground always says
 * `en-US`; with `locale` set, the proxy says what a Teams client in that language says instead
 * (the activity's `locale` and its clientInfo entity's), and records the activity as forwarded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 2_000_000;
const FORWARDED_HEADERS = ['content-type', 'authorization', 'accept', 'user-agent'];

/** One activity the bot received and what it answered. */
export interface RecordedExchange {
  readonly method: string;
  readonly path: string;
  readonly activity: Record<string, unknown>;
  readonly status: number;
  readonly answer: string;
}

export class RecordingProxy {
  readonly exchanges: RecordedExchange[] = [];
  /** The client's language to forward instead of the playground's `en-US` (unset: unchanged). */
  locale: string | undefined;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly target: string) {}

  /** Listens on 127.0.0.1 on an ephemeral port. */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.forward(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  /** Where the playground should send its activities. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/api/messages`;
  }

  /** The activities received so far, one line each: `type[/name][ verb]`. */
  summary(): string[] {
    return this.exchanges.map(({ method, path, activity, status }) => {
      if (method !== 'POST') return `${method} ${path} → ${status}`;
      const value = activity.value as { action?: { verb?: string } } | undefined;
      const name = typeof activity.name === 'string' ? `/${activity.name}` : '';
      const verb = value?.action?.verb ? ` ${value.action.verb}` : '';
      const text = typeof activity.text === 'string' ? ` "${activity.text}"` : '';
      return `${String(activity.type)}${name}${verb}${text} → ${status}`;
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The body with the client's language set to `locale` (unchanged without one, or for a body that is not an activity). */
  private relocalized(body: ReturnType<typeof Buffer.concat>): ReturnType<typeof Buffer.concat> {
    const locale = this.locale;
    if (!locale || body.length === 0) return body;
    try {
      const activity = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      const entities = Array.isArray(activity.entities) ? (activity.entities as Record<string, unknown>[]) : [];
      const changed = {
        ...activity,
        locale,
        ...(entities.length > 0 ? { entities: entities.map((e) => (e.type === 'clientInfo' ? { ...e, locale } : e)) } : {}),
      };
      return Buffer.concat([Buffer.from(JSON.stringify(changed), 'utf8')]);
    } catch {
      return body;
    }
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new Error('request body too large');
      chunks.push(buffer);
    }
    const body = this.relocalized(Buffer.concat(chunks));
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(new URL(req.url ?? '/', this.target), {
      method: req.method ?? 'POST',
      headers,
      ...(body.length > 0 ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = await upstream.text();
    let activity: Record<string, unknown> = {};
    if (body.length > 0) {
      try {
        activity = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        activity = { unparsable: body.toString('utf8').slice(0, 200) };
      }
    }
    const method = req.method ?? 'POST';
    this.exchanges.push({ method, path: req.url ?? '/', activity, status: upstream.status, answer });
    const contentType = upstream.headers.get('content-type');
    res.writeHead(upstream.status, contentType ? { 'content-type': contentType } : {});
    res.end(answer);
  }
}
