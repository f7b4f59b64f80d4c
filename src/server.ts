/**
 * The HTTP server, built but not listening: the messaging endpoint, liveness and readiness
 * probes, and a drain that lets in-flight turns finish before the process exits. Request
 * bodies go through our own reader (request-body.ts), not restify's plugins.
 */
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { waitAtMost } from './limits/deadline';
import type { Logger } from './log';
import { DEFAULT_BODY_LIMITS, jsonBodyReader, type BodyLimits } from './request-body';

/** Handles one POST to `/api/messages` (the Teams edge). */
export type MessageEndpoint = (req: restify.Request, res: restify.Response) => Promise<void>;

/** Dependencies of the server. */
export interface ServerOptions {
  readonly messages: MessageEndpoint;
  /** Resolves when the service can do its work (the database commits a write). */
  readonly ready: () => Promise<void>;
  readonly logger: Logger;
  /** More routes (tab, sandbox, export), each registered by its own module. */
  readonly routes?: ReadonlyArray<(server: restify.Server) => void>;
  /** Size limit and deadline of request bodies (default: 1 MB within 10 s). */
  readonly body?: Partial<BodyLimits>;
}

/** A built server: listen, count in-flight work, and drain it on shutdown. */
export interface BotServer {
  readonly server: restify.Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Requests being handled right now. */
  inFlight(): number;
  /** Stops accepting, waits up to `graceMs` for in-flight requests, then closes every connection. */
  close(graceMs: number): Promise<void>;
}

const READY_TIMEOUT_MS = 2000;
/**
 * A readiness answer is reused this long, and concurrent probes share one check: /readyz is
 * public and each check is a database write, so a flood of probes costs at most one write a second.
 */
const READY_REUSE_MS = 1000;

/** Resolves after `ms`, without keeping the process alive. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Builds the restify server with every route registered. */
export function buildServer(options: ServerOptions): BotServer {
  // noWriteContinue: the body reader says 100 Continue only to a body its headers do not refuse.
  const server = restify.createServer({ name: 'escalation-desk', handleUncaughtExceptions: false, noWriteContinue: true });
  // Node closes idle keep-alive connections after 5 s; under load the next turn then pays for a
  // new connection (seconds when the server is busy). The Bot Service keeps them far longer.
  server.server.keepAliveTimeout = 75_000;
  server.server.headersTimeout = 76_000;
  const { logger } = options;
  let inFlight = 0; // per server instance: counts requests so shutdown can wait for them
  let stopping = false;
  let readiness: { readonly ready: Promise<boolean>; settledAt?: number } | undefined; // the latest check, shared

  server.pre((_req: restify.Request, res: restify.Response, next: restify.Next) => {
    if (stopping) {
      res.header('Connection', 'close');
      res.send(503, { code: 'ShuttingDown', message: 'The bot is restarting; retry shortly.' });
      return next(false);
    }
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
    return next();
  });
  // Before routing, so a body sent to an unknown route is refused or bounded like any other.
  server.pre(jsonBodyReader({ ...DEFAULT_BODY_LIMITS, ...options.body }));

  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    await options.messages(req, res);
  });

  server.get('/healthz', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    res.send(200, { status: 'ok' });
    return next();
  });

  const isReady = (): Promise<boolean> => {
    if (readiness && (readiness.settledAt === undefined || Date.now() - readiness.settledAt < READY_REUSE_MS)) return readiness.ready;
    const current: { ready: Promise<boolean>; settledAt?: number } = {
      ready: waitAtMost(options.ready(), READY_TIMEOUT_MS, () => new Error('readiness check timed out')).then(
        () => true,
        (error: unknown) => {
          logger.warn({ err: error }, 'readiness check failed');
          return false;
        },
      ).finally(() => {
        current.settledAt = Date.now();
      }),
    };
    readiness = current;
    return current.ready;
  };

  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    if (await isReady()) res.send(200, { status: 'ready' });
    else res.send(503, { status: 'unavailable', reason: 'the database does not take writes' });
  });

  for (const register of options.routes ?? []) register(server);

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, cb: () => void) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) logger.error({ err, route: req.getRoute()?.path }, 'request failed');
    else logger.debug({ status, route: req.getRoute()?.path }, 'request refused');
    return cb();
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          resolve(server.address());
        });
      }),
    inFlight: () => inFlight,
    close: async (graceMs) => {
      stopping = true;
      const closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      server.server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await sleep(25);
      if (inFlight > 0) logger.warn({ inFlight }, 'shutdown grace period over; closing connections with work in flight');
      server.server.closeAllConnections();
      await closed;
    },
  };
}
