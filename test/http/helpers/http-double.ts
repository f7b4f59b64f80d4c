/**
 * A scriptable HTTP test double on 127.0.0.1 (ephemeral port) that records every request:
 * stands in for Microsoft Graph, Partner Center and the Entra token endpoint.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from '../../../src/log';
import { logSink, rememberSecret } from '../../helpers/run-log';

/** A request as the double received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the double answers. */
export interface Reply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON-serialized unless `raw` is given. */
  readonly json?: unknown;
  readonly raw?: string;
  /** Wait this long before answering (to provoke client timeouts). */
  readonly delayMs?: number;
}

export type Handler = (req: RecordedRequest, double: HttpDouble) => Reply | Promise<Reply>;

/** The running double. */
export class HttpDouble {
  readonly requests: RecordedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Starts a double answering with `handler`. */
  static start(handler: Handler): Promise<HttpDouble> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const recorded: RecordedRequest = {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          };
          double.requests.push(recorded);
          Promise.resolve(handler(recorded, double))
            .then(async (reply) => {
              if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
              if (res.destroyed) return;
              res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
              res.end(reply.raw ?? (reply.json === undefined ? '' : JSON.stringify(reply.json)));
            })
            .catch((error: unknown) => {
              res.writeHead(500);
              res.end(String(error));
            });
        });
      });
      const double: HttpDouble = new HttpDouble(server, '');
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        Object.assign(double, { url: `http://127.0.0.1:${port}` });
        resolve(double);
      });
    });
  }

  /** Requests whose path starts with `prefix`. */
  requestsTo(prefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.startsWith(prefix));
  }

  /** Stops the double, cutting any connection still open. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** An Entra v2 token-endpoint answer; the token names the tenant so tests can check which was used. */
export function tokenReply(req: RecordedRequest): Reply {
  const tenant = req.url.split('/')[1];
  const token = `token-for-${tenant}`;
  rememberSecret(token);
  return { json: { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token } };
}

/** Whether a request is for the token endpoint. */
export function isTokenRequest(req: RecordedRequest): boolean {
  return /^\/[^/]+\/oauth2\/v2\.0\/token/.test(req.url);
}

/**
 * A logger for clients under test, configured as the service's (redaction included), whose
 * lines go only to the run's record: the scan after the run proves no token reached them.
 */
export function runLogger(): Logger {
  return createLogger({ level: 'debug', destination: logSink({}) });
}

/** A sleep that records what it was asked to wait and returns at once. */
export function recordingSleep(): { readonly waits: number[]; readonly sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => { waits.push(ms); return Promise.resolve(); } };
}

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
