/**
 * A Microsoft Graph service-health double for many tenants (127.0.0.1 only) that enforces
 * Graph's limits per tenant (240 requests / 60 s and 800 / hour per app, answered 429 with
 * Retry-After), with the Entra token endpoint beside it. It counts what each tenant received:
 * overview pages, single-issue reads, tokens, 429s. Time is a `Clock`: simulated in-process runs
 * step a ManualClock, a separate bot process runs against the wall clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/domain/clock';

/** Graph's published limits per app per tenant. */
const WINDOWS = [
  { limit: 240, windowMs: 60_000 },
  { limit: 800, windowMs: 3_600_000 },
] as const;

/** One issue a tenant shows (Graph's shape, PascalCase as real payloads). */
export type GraphIssue = Record<string, unknown> & { readonly id: string };

/** What a tenant's health is at a time: its issues by service id, and how many overview pages it comes in. */
export interface TenantHealth {
  readonly issues: ReadonlyArray<{ readonly serviceId: string; readonly service: string; readonly issue: GraphIssue }>;
  readonly pages: 1 | 2;
}

/** One Graph request a tenant made. */
export interface GraphCall {
  readonly tenant: string;
  readonly at: number;
  readonly kind: 'overview' | 'page' | 'issue' | 'throttled';
}

const SERVICES: ReadonlyArray<[string, string]> = [
  ['Exchange', 'Exchange Online'],
  ['microsoftteams', 'Microsoft Teams'],
  ['SharePoint', 'SharePoint Online'],
  ['OneDriveForBusiness', 'OneDrive for Business'],
  ['OrgLiveID', 'Microsoft Entra'],
  ['O365Client', 'Microsoft 365 apps'],
  ['Intune', 'Microsoft Intune'],
  ['PowerBIcom', 'Power BI'],
];

/** The running double. */
export class GraphLimitsDouble {
  readonly calls: GraphCall[] = [];
  readonly tokens = new Map<string, number>();
  private readonly sent = new Map<string, number[]>();
  private server?: Server;
  url = '';

  constructor(
    private readonly clock: Clock,
    /** The tenant's health at a time (ms). */
    private readonly healthOf: (tenant: string, at: number) => TenantHealth,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
    // Many tenants at once: keep-alive sockets from the client stay open.
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** 429s answered. */
  throttledCount(): number {
    return this.calls.filter((c) => c.kind === 'throttled').length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _chunk of req) {
      // The token request's form body is not needed: the tenant is in the path.
    }
    const url = new URL(req.url ?? '/', 'http://double');
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (token) {
      const tenant = (token[1] ?? '').toLowerCase();
      this.tokens.set(tenant, (this.tokens.get(tenant) ?? 0) + 1);
      return this.json(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: `bench-token.${tenant}` });
    }
    const tenant = String(req.headers.authorization ?? '').replace('Bearer bench-token.', '');
    const now = this.clock.now().getTime();
    const retryAfter = this.over(tenant, now);
    if (retryAfter !== undefined) {
      this.calls.push({ tenant, at: now, kind: 'throttled' });
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      res.end('{"error":{"code":"TooManyRequests","message":"throttled"}}');
      return;
    }
    const health = this.healthOf(tenant, now);
    if (url.pathname.endsWith('/healthOverviews')) {
      const second = url.searchParams.get('page') === '2';
      this.calls.push({ tenant, at: now, kind: second ? 'page' : 'overview' });
      const split = health.pages === 2 ? 4 : SERVICES.length;
      const services = (second ? SERVICES.slice(split) : SERVICES.slice(0, split)).map(([id, service]) => {
        const issues = health.issues.filter((i) => i.serviceId === id).map((i) => i.issue);
        return { id, service, status: issues.some((i) => i.isResolved !== true) ? 'ServiceDegradation' : 'ServiceOperational', issues };
      });
      const next = !second && health.pages === 2 ? { '@odata.nextLink': `${this.url}/v1.0/admin/serviceAnnouncement/healthOverviews?$expand=issues&page=2` } : {};
      return this.json(res, 200, { value: services, ...next });
    }
    const issue = /\/issues\/([^/]+)$/.exec(url.pathname);
    if (issue) {
      this.calls.push({ tenant, at: now, kind: 'issue' });
      const found = health.issues.find((i) => i.issue.id === decodeURIComponent(issue[1] ?? ''));
      return found ? this.json(res, 200, found.issue) : this.json(res, 404, { error: { code: 'NotFound', message: 'no such issue' } });
    }
    return this.json(res, 404, { error: { code: 'NotFound' } });
  }

  /** Seconds until the tenant may ask again, when a limit is reached; otherwise counts the request. */
  private over(tenant: string, now: number): number | undefined {
    const times = (this.sent.get(tenant) ?? []).filter((t) => now - t < 3_600_000);
    for (const w of WINDOWS) {
      const inWindow = times.filter((t) => now - t < w.windowMs);
      if (inWindow.length >= w.limit) {
        this.sent.set(tenant, times);
        return Math.max(1, Math.ceil((inWindow[0] + w.windowMs - now) / 1000));
      }
    }
    times.push(now);
    this.sent.set(tenant, times);
    return undefined;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

/** A Graph serviceHealthIssue as real payloads send it. */
export function graphIssue(id: string, service: string, startedAt: number, over: Record<string, unknown> = {}): GraphIssue {
  const start = new Date(startedAt).toISOString();
  return {
    id,
    title: `Users may be unable to use some ${service} features (${id})`,
    service,
    feature: 'Service access',
    featureGroup: 'Access',
    impactDescription: `Users may be unable to use some ${service} features. Our telemetry shows the impact in several regions; we are investigating the cause.`,
    classification: 'Incident',
    origin: 'Microsoft',
    status: 'ServiceDegradation',
    isResolved: false,
    startDateTime: start,
    endDateTime: null,
    lastModifiedDateTime: start,
    details: [{ name: 'NotifyInApp', value: 'True' }],
    posts: [
      {
        createdDateTime: start,
        postType: 'Quick',
        description: {
          contentType: 'Html',
          content: `Title: ${id}<br><br>User impact: Users may be unable to use some ${service} features.<br><br>Current status: We're reviewing service telemetry to isolate the cause.<br><br>Next update by: in one hour`,
        },
      },
    ],
    ...over,
  };
}
