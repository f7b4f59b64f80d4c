/**
 * The "My escalations" tab, served by the bot's own server: its static page and the JSON API
 * it reads (escalations of the caller's partner tenant, one escalation with its audit trail,
 * and its card). Every API call is authenticated (Teams SSO, or the development identity).
 */
import { stringify } from 'csv-stringify/sync';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type restify from 'restify';
import type { AdaptiveCardJson } from '../cards';
import type { Config } from '../config';
import { isEscalationState, type AuditEvent, type Escalation, type EscalationState } from '../domain/escalation';
import { OPEN_STATES } from '../domain/states';
import type { Logger } from '../log';
import type { EscalationStore } from '../store/types';
import { TabAuthError, createTabAuthenticator, type TabAuthOptions, type TabIdentity } from './auth';

export { DEVELOPMENT_USER_NAME, TAB_SCOPE, TabAuthError, createTabAuthenticator, entraIssuers, type TabAuthOptions, type TabIdentity } from './auth';

/** Renders the card of an escalation for the tab (the lead wires the bot's real renderer). */
export type TabCardFor = (escalation: Escalation, locale: string) => AdaptiveCardJson | Promise<AdaptiveCardJson>;

/** Dependencies of the tab's routes. */
export interface TabRouteOptions {
  readonly store: EscalationStore;
  readonly logger: Logger;
  readonly auth: TabAuthOptions;
  readonly cardFor: TabCardFor;
  /** The folder of the page's HTML, CSS, JS and strings (`src/tab/static`). */
  readonly staticDir: string;
}

/** One row of the list, as the page shows it. */
export interface EscalationSummary {
  readonly id: string;
  readonly title: string;
  readonly customer: { readonly tenantId: string; readonly name: string };
  readonly service: string;
  readonly state: EscalationState;
  /** The Microsoft service request number, once the partner linked one. */
  readonly serviceRequestId?: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Largest page of the list the API returns. */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/** The page's own files: URL name → file name and content type. Nothing else is served. */
const STATIC_FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  'index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'config.html': { file: 'config.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'config.js': { file: 'config.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  'strings.json': { file: 'strings.json', type: 'application/json; charset=utf-8' },
};

/**
 * Hosts allowed to frame the tab (Teams, Microsoft 365 and Outlook on the web), from
 * Microsoft's tab requirements, plus this server itself.
 */
const FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.teams.microsoft.us',
  'https://*.cloud.microsoft',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
].join(' ');

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  `frame-ancestors ${FRAME_ANCESTORS}`,
].join('; ');

/** Where a package's file is, found through Node's resolver (works wherever node_modules is). */
function vendorFiles(): Readonly<Record<string, string>> {
  return {
    'teams-js.js': require.resolve('@microsoft/teams-js'),
    'adaptivecards.js': join(dirname(require.resolve('adaptivecards/package.json')), 'dist', 'adaptivecards.min.js'),
    // The card's markdown, rendered as Teams renders it (the Adaptive Cards SDK shows it raw otherwise).
    'markdown-it.js': join(dirname(require.resolve('markdown-it/package.json')), 'dist', 'markdown-it.min.js'),
  };
}

/** The query of a request, independent of whichever query plugin the server uses. */
function queryOf(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/** A route parameter as text (restify types `params` as any). */
function paramOf(req: restify.Request, name: string): string | undefined {
  const params = req.params as Record<string, unknown> | undefined;
  const value = params?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** An answer refused with a status and a short English message. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends JSON with a strong validator so the page can poll with `If-None-Match`. */
function sendJson(req: restify.Request, res: restify.Response, body: unknown): void {
  const text = JSON.stringify(body);
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  const headers = { ETag: etag, 'Cache-Control': 'private, no-cache', Vary: 'Authorization' };
  const ifNoneMatch = req.header('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.sendRaw(200, text, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
}

/** Sends an error as `{ code, message }`, with a `WWW-Authenticate` challenge when given one. */
function sendError(res: restify.Response, status: number, code: string, message: string, challenge?: string): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' };
  if (challenge) headers['WWW-Authenticate'] = challenge;
  res.sendRaw(status, JSON.stringify({ code, message }), headers);
}

/** The Microsoft request number of an escalation, if the partner linked one. */
function serviceRequestIdOf(escalation: Escalation): string | undefined {
  const value = escalation.details.serviceRequestId;
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The list row of an escalation. */
export function summarize(escalation: Escalation): EscalationSummary {
  const serviceRequestId = serviceRequestIdOf(escalation);
  return {
    id: escalation.id,
    title: escalation.title,
    customer: { tenantId: escalation.customer.tenantId, name: escalation.customer.name },
    service: escalation.service,
    state: escalation.state,
    ...(serviceRequestId ? { serviceRequestId } : {}),
    owner: escalation.ownerName ?? escalation.ownerId,
    createdAt: escalation.createdAt,
    updatedAt: escalation.updatedAt,
  };
}

/** What the page may know about its caller. */
function publicIdentity(identity: TabIdentity): Record<string, unknown> {
  return identity.development ? { development: true, name: identity.name } : { development: false, ...(identity.name ? { name: identity.name } : {}) };
}

/** Parses `state=`: comma-separated states, or `open` for every state that is not terminal. */
function parseStates(raw: string | null): readonly EscalationState[] | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const states = new Set<EscalationState>();
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'open') OPEN_STATES.forEach((s) => states.add(s));
    else if (isEscalationState(part)) states.add(part);
    else throw new HttpError(400, 'BadState', 'Unknown state in the state filter.');
  }
  return [...states];
}

/** Parses `limit=` (1–100, default 50). */
function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) throw new HttpError(400, 'BadLimit', 'limit must be a whole number from 1 to 100.');
  return Math.min(Number(raw), MAX_LIMIT);
}

/** Most escalations one export holds. */
const MAX_EXPORT = 10_000;

/** Registers the tab's page, its vendor scripts and its data API on a server. */
export function registerTabRoutes(server: restify.Server, options: TabRouteOptions): void {
  const { store, logger, cardFor } = options;
  const authenticate = createTabAuthenticator(options.auth);
  const tenantScoped = options.auth.mode === 'entra';
  const vendor = vendorFiles();

  /** Runs an API handler: authenticates, answers errors, never leaks a token to the log. */
  const api =
    (handler: (req: restify.Request, res: restify.Response, identity: TabIdentity) => Promise<void>) =>
    async (req: restify.Request, res: restify.Response): Promise<void> => {
      const route = req.getRoute()?.path;
      try {
        const identity = await authenticate(req.header('authorization'));
        await handler(req, res, identity);
      } catch (error) {
        if (error instanceof TabAuthError) {
          logger.debug({ route, status: error.status, reason: error.reason }, 'tab request refused');
          sendError(res, error.status, error.code, error.message, error.challenge);
        } else if (error instanceof HttpError) {
          sendError(res, error.status, error.code, error.message);
        } else if (error instanceof RangeError) {
          sendError(res, 400, 'BadCursor', 'The cursor is not one this API returned.');
        } else {
          logger.error({ err: error, route }, 'tab request failed');
          sendError(res, 500, 'InternalError', 'Something went wrong; try again.');
        }
      }
    };

  /** The escalation if the caller may see it; another tenant's escalation does not exist for them. */
  const visible = async (id: string | undefined, identity: TabIdentity): Promise<Escalation> => {
    const escalation = id ? await store.get(id) : undefined;
    if (!escalation || (tenantScoped && !identity.development && escalation.partnerTenantId.toLowerCase() !== identity.tenantId.toLowerCase())) {
      throw new HttpError(404, 'NotFound', 'No such escalation.');
    }
    return escalation;
  };

  server.get(
    '/api/escalations',
    api(async (req, res, identity) => {
      const query = queryOf(req);
      const customer = query.get('customer')?.trim();
      const cursor = query.get('cursor')?.trim();
      if (customer && customer.length > 200) throw new HttpError(400, 'BadCustomer', 'customer is too long.');
      // `mine=1` narrows to the caller's own escalations; the development identity owns none, so it is ignored there.
      const mine = query.get('mine') === '1' && !identity.development;
      const page = await store.list({
        ...(identity.development ? {} : { partnerTenantId: identity.tenantId }),
        ...(mine && !identity.development ? { ownerId: identity.userId } : {}),
        ...(customer ? { customerTenantId: customer } : {}),
        states: parseStates(query.get('state')),
        limit: parseLimit(query.get('limit')),
        ...(cursor ? { cursor } : {}),
      });
      sendJson(req, res, {
        identity: publicIdentity(identity),
        items: page.items.map(summarize),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    }),
  );

  // The audit export of one customer's escalations with their timelines (registered before
  // `/:id`, which would otherwise take "export" for an escalation id).
  server.get(
    '/api/escalations/export',
    api(async (req, res, identity) => {
      const query = queryOf(req);
      const customer = query.get('customer')?.trim() ?? '';
      const format = query.get('format') ?? 'json';
      if (!/^[0-9a-f-]{36}$/i.test(customer)) throw new HttpError(400, 'BadCustomer', 'customer must be a customer tenant id.');
      if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'BadFormat', 'format must be json or csv.');
      const escalations: Escalation[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({
          ...(identity.development ? {} : { partnerTenantId: identity.tenantId }),
          customerTenantId: customer,
          limit: 500,
          ...(cursor ? { cursor } : {}),
        });
        escalations.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && escalations.length < MAX_EXPORT);
      const rows = await Promise.all(escalations.map(async (e) => ({ escalation: e, audit: await store.audit(e.id) })));
      logger.info({ escalations: rows.length, format }, 'audit export');
      const filename = `escalations-${customer}.${format}`;
      if (format === 'json') {
        res.header('Content-Disposition', `attachment; filename="${filename}"`);
        sendJson(req, res, { customerTenantId: customer, exportedAt: new Date().toISOString(), escalations: rows });
        return;
      }
      const csv = stringify(
        rows.flatMap(({ escalation: e, audit }) =>
          audit.map((ev) => ({
            escalationId: e.id,
            customer: e.customer.name,
            service: e.service,
            title: e.title,
            serviceRequestId: typeof e.details.serviceRequestId === 'string' ? e.details.serviceRequestId : '',
            at: ev.at,
            actorKind: ev.actor.kind,
            actor: ev.actor.name ?? ev.actor.id,
            from: ev.from ?? '',
            to: ev.to,
            reason: ev.reason ?? '',
          })),
        ),
        {
          header: true,
          columns: ['escalationId', 'customer', 'service', 'title', 'serviceRequestId', 'at', 'actorKind', 'actor', 'from', 'to', 'reason'],
          // Titles, names and reasons are typed by people (or come from Partner Center): a cell
          // starting = + - @, tab or CR would run as a formula in Excel, so it gets a leading ' (OWASP).
          escape_formulas: true,
        },
      );
      res.sendRaw(200, csv, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
    }),
  );

  server.get(
    '/api/escalations/:id',
    api(async (req, res, identity) => {
      const escalation = await visible(paramOf(req, 'id'), identity);
      const audit: readonly AuditEvent[] = await store.audit(escalation.id);
      sendJson(req, res, {
        identity: publicIdentity(identity),
        escalation: { ...escalation, summary: summarize(escalation) },
        audit,
      });
    }),
  );

  server.get(
    '/api/escalations/:id/card',
    api(async (req, res, identity) => {
      const escalation = await visible(paramOf(req, 'id'), identity);
      const requested = queryOf(req).get('locale') ?? '';
      const locale = LOCALE.test(requested) ? requested : 'en-US';
      const card = await cardFor(escalation, locale);
      sendJson(req, res, { card });
    }),
  );

  /** Serves one known file, or 404. */
  const sendFile = async (res: restify.Response, path: string | undefined, type: string, headers: Record<string, string>): Promise<void> => {
    if (!path) {
      sendError(res, 404, 'NotFound', 'No such file.');
      return;
    }
    try {
      const body = await readFile(path);
      res.sendRaw(200, body, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', ...headers });
    } catch (error) {
      logger.error({ err: error }, 'tab file missing');
      sendError(res, 404, 'NotFound', 'No such file.');
    }
  };

  const page = async (name: string, res: restify.Response): Promise<void> => {
    const entry = STATIC_FILES[name];
    const headers: Record<string, string> = { 'Cache-Control': 'no-cache' };
    if (entry?.type.startsWith('text/html')) headers['Content-Security-Policy'] = PAGE_CSP;
    await sendFile(res, entry ? join(options.staticDir, entry.file) : undefined, entry?.type ?? '', headers);
  };

  server.get('/tab', async (_req: restify.Request, res: restify.Response) => {
    await page('index.html', res);
  });
  server.get('/tab/vendor/:file', async (req: restify.Request, res: restify.Response) => {
    const name = paramOf(req, 'file') ?? '';
    const path = Object.prototype.hasOwnProperty.call(vendor, name) ? vendor[name] : undefined;
    await sendFile(res, path, 'text/javascript; charset=utf-8', { 'Cache-Control': 'public, max-age=3600' });
  });
  server.get('/tab/:file', async (req: restify.Request, res: restify.Response) => {
    const name = paramOf(req, 'file') ?? '';
    await page(Object.prototype.hasOwnProperty.call(STATIC_FILES, name) ? name : '', res);
  });
}

/**
 * The tab's authentication for a configuration: the development identity in local mode
 * (no MicrosoftAppId); otherwise Teams SSO, which needs the public host name and the
 * partner tenant id.
 */
export function tabAuthFromConfig(config: Config, publicHostname: string | undefined): TabAuthOptions {
  // The sign-in app is the bot's own unless the bot is a managed identity (TAB_SSO_CLIENT_ID).
  const appId = config.tabSsoClientId ?? config.bot.appId;
  if (config.bot.localMode || !appId) return { mode: 'development' };
  if (!publicHostname) throw new Error('Invalid setting PUBLIC_HOSTNAME: required for the tab\'s single sign-on when MicrosoftAppId is set');
  if (!config.partnerTenantId) throw new Error('Invalid setting PARTNER_TENANT_ID: required for the tab\'s single sign-on when MicrosoftAppId is set');
  return {
    mode: 'entra',
    appId,
    audience: [`api://${publicHostname}/${appId}`, appId],
    partnerTenantId: config.partnerTenantId,
    loginEndpoint: config.endpoints.login,
  };
}
