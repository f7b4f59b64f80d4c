/**
 * A local stand-in for the Bot Framework connector (the service a bot replies to): records
 * every activity sent or updated, and answers with faults on demand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  readonly method: string;
  /** The id answered for this call. */
  readonly activityId?: string;
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
  /** Only for calls to this conversation (default: any). */
  readonly conversationId?: string;
  /** Answer only after this long (a slow connector). */
  readonly delayMs?: number;
  /** Take the request and never answer (until the caller gives up or the double stops). */
  readonly hang?: boolean;
  /**
   * Answer this body as is instead of the JSON error (e.g. truncated JSON). With a 2xx status
   * the connector took the activity: it is recorded as sent.
   */
  readonly raw?: string;
}

/** A limit the double enforces per conversation: at most `limit` calls in any `windowMs`. */
export interface ConnectorLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Teams' per-bot, per-conversation limits (PRODUCT.md). */
export const TEAMS_CONVERSATION_LIMITS: readonly ConnectorLimit[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

/** Teams' limit per app per tenant (about 50 requests / s, PRODUCT.md). */
export const TEAMS_TENANT_LIMITS: readonly ConnectorLimit[] = [{ limit: 50, windowMs: 1_000 }];

/** The channelData field the proactive sender stamps with a notification's idempotency key. */
export const IDEMPOTENCY_KEY_FIELD = 'escalationDeskNotificationId';

/** The running double. */
export class ConnectorDouble {
  readonly calls: ConnectorCall[] = [];
  /** Faults answered so far (injected or limit-enforced), in order. */
  readonly faultsAnswered: Array<ConnectorFault & { readonly conversationId: string }> = [];
  private readonly faults: ConnectorFault[] = [];
  private limits: readonly ConnectorLimit[] = [];
  private limitRetryAfterSeconds: number | undefined;
  private readonly arrivals = new Map<string, number[]>();
  private tenantLimits: readonly ConnectorLimit[] = [];
  private readonly tenantArrivals = new Map<string, number[]>();
  private server?: Server;
  private nextId = 1;
  /** Requests taken and not answered (`hang`), until their callers give up. */
  private readonly held = new Set<ServerResponse>();

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

  /**
   * Enforces per-conversation limits from now on: a call beyond them is answered 429
   * `Throttled` (with Retry-After when given) and not recorded.
   */
  enforceLimits(limits: readonly ConnectorLimit[], retryAfterSeconds?: number): void {
    this.limits = limits;
    this.limitRetryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Enforces per-tenant limits as well (the activity's `conversation.tenantId`; calls without one
   * share a tenant), counted where the per-conversation ones are: a call beyond them is answered 429.
   */
  enforceTenantLimits(limits: readonly ConnectorLimit[]): void {
    this.tenantLimits = limits;
  }

  /** How many requests are being held unanswered right now (`hang` faults whose caller has not given up). */
  hanging(): number {
    return this.held.size;
  }

  /** Resolves once exactly `count` requests are held unanswered, or rejects after `timeoutMs`. */
  async waitForHanging(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.held.size !== count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} held requests, got ${this.held.size}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** How many calls were answered 429. */
  throttledCount(): number {
    return this.faultsAnswered.filter((f) => f.status === 429).length;
  }

  /** Sent activities carrying this idempotency key (more than one is a duplicate delivery). */
  sentWithKey(key: string): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && idempotencyKeyOf(c.activity) === key);
  }

  /** The activities sent (POST) per idempotency key, in order (more than one: a duplicate delivery). */
  deliveriesByKey(): Map<string, ConnectorCall[]> {
    const byKey = new Map<string, ConnectorCall[]>();
    for (const c of this.calls) {
      const key = c.method === 'POST' ? idempotencyKeyOf(c.activity) : undefined;
      if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), c]);
    }
    return byKey;
  }

  /** Idempotency keys delivered more than once. */
  duplicateKeys(): string[] {
    return [...this.deliveriesByKey()].filter(([, calls]) => calls.length > 1).map(([k]) => k);
  }

  /** The id the double gave the activity sent with this key, if any. */
  activityIdForKey(key: string): string | undefined {
    return this.sentWithKey(key)[0]?.activityId;
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
    const conversationId = decodeURIComponent(match[1] ?? '');
    const index = this.faults.findIndex((f) => f.conversationId === undefined || f.conversationId === conversationId);
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : this.overLimit(conversationId, tenantOf(body));
    if (fault) {
      this.faultsAnswered.push({ ...fault, conversationId });
      if (fault.hang) {
        this.held.add(res);
        res.on('close', () => this.held.delete(res));
        return;
      }
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (res.destroyed) return;
      const accepted = fault.status >= 200 && fault.status < 300 ? this.record(req, path, conversationId, body) : undefined;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      res.end(fault.raw ?? JSON.stringify(accepted ? { id: accepted } : { error: { code: fault.code ?? 'Fault', message: 'injected' } }));
      return;
    }
    const activityId = this.record(req, path, conversationId, body);
    // restify patches http.ServerResponse process-wide, so writeHead is not chainable here.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: activityId }));
  }

  /** Records a call the connector took; returns the activity id answered. */
  private record(req: IncomingMessage, path: string, conversationId: string, body: string): string {
    const updateId = /\/activities\/([^/?]+)/.exec(path)?.[1];
    const activityId = req.method === 'PUT' && updateId ? decodeURIComponent(updateId) : `activity-${this.nextId++}`;
    this.calls.push({
      method: req.method ?? 'GET',
      path,
      conversationId,
      activity: body ? (JSON.parse(body) as Record<string, unknown>) : {},
      authorization: req.headers.authorization,
      activityId,
    });
    return activityId;
  }

  /** A 429 when this call would exceed an enforced limit (its conversation's or its tenant's); otherwise the call is counted in both. */
  private overLimit(conversationId: string, tenantId: string): ConnectorFault | undefined {
    if (this.limits.length === 0 && this.tenantLimits.length === 0) return undefined;
    const now = Date.now();
    const conversation = within(this.arrivals.get(conversationId), this.limits, now);
    const tenant = within(this.tenantArrivals.get(tenantId), this.tenantLimits, now);
    this.arrivals.set(conversationId, conversation);
    this.tenantArrivals.set(tenantId, tenant);
    if (full(conversation, this.limits, now) || full(tenant, this.tenantLimits, now)) {
      return { status: 429, code: 'Throttled', retryAfterSeconds: this.limitRetryAfterSeconds };
    }
    conversation.push(now);
    tenant.push(now);
    return undefined;
  }
}

/** The arrivals still inside the longest of `limits`. */
function within(seen: readonly number[] | undefined, limits: readonly ConnectorLimit[], now: number): number[] {
  if (limits.length === 0) return [];
  const longest = Math.max(...limits.map((l) => l.windowMs));
  return (seen ?? []).filter((t) => now - t < longest);
}

/** Whether one more arrival now would exceed any of `limits`. */
function full(seen: readonly number[], limits: readonly ConnectorLimit[], now: number): boolean {
  return limits.some((limit) => seen.filter((t) => now - t < limit.windowMs).length >= limit.limit);
}

/** The tenant a call's activity names (`conversation.tenantId`), or one shared key. */
function tenantOf(body: string): string {
  try {
    const activity = JSON.parse(body) as { conversation?: { tenantId?: unknown } };
    return typeof activity.conversation?.tenantId === 'string' ? activity.conversation.tenantId : '(no tenant)';
  } catch {
    return '(no tenant)';
  }
}

/** The idempotency key a sent activity carries in its channelData, if any. */
export function idempotencyKeyOf(activity: Record<string, unknown>): string | undefined {
  const data = activity.channelData;
  if (typeof data !== 'object' || data === null) return undefined;
  const key = (data as Record<string, unknown>)[IDEMPOTENCY_KEY_FIELD];
  return typeof key === 'string' ? key : undefined;
}
