/**
 * HTTP routes of the sandbox, for demos and end-to-end tests: read a tenant's sandbox
 * health and resolve an incident as Microsoft would; start, update and resolve an incident
 * shared by several tenants. Register them only in local mode (no app id) with
 * HEALTH_SOURCE=sandbox: they are unauthenticated by design.
 */
import type { Next, Request, Response, Server } from 'restify';
import { normalizeEnum } from './graph-shape';
import type { SandboxHealthProvider, SharedIncident } from './sandbox';
import { HealthAccessError, SERVICE_HEALTH_STATUSES, UnknownIssueError } from './types';

/** Told which tenants' health a route changed (the incident sweep looks at them at once). */
export type SandboxChanged = (tenantIds: readonly string[]) => Promise<unknown>;

/** Graph-style issue ids only (they become part of URLs and keys). */
const ISSUE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Adds GET /sandbox/health/:tenantId, POST /sandbox/health/:tenantId/issues/:issueId/resolve, and
 * the shared-incident routes: POST /sandbox/incidents (start one, or add tenants to one), GET
 * /sandbox/incidents/:issueId, POST /sandbox/incidents/:issueId/update (a post and/or a status),
 * POST /sandbox/incidents/:issueId/resolve, POST /sandbox/incidents/:issueId/tenants/:tenantId/remove.
 */
export function registerSandboxHealthRoutes(server: Server, sandbox: SandboxHealthProvider, changed?: SandboxChanged): void {
  const after = async (res: Response, status: number, shared: SharedIncident, tenantIds: readonly string[] = shared.tenantIds): Promise<void> => {
    await changed?.(tenantIds);
    res.send(status, shared);
  };

  server.post('/sandbox/incidents', async (req: Request, res: Response) => {
    try {
      const body = bodyOf(req);
      const id = typeof body.id === 'string' ? body.id : undefined;
      const service = typeof body.service === 'string' ? body.service.trim() : '';
      const tenants = Array.isArray(body.tenants) ? body.tenants.filter((t): t is string => typeof t === 'string') : sandbox.readableTenants();
      const classification = body.classification === 'advisory' ? 'advisory' : 'incident';
      if ((id !== undefined && !ISSUE_ID.test(id)) || (service === '' && !(id && sandbox.sharedIssue(id)))) {
        res.send(400, { error: 'badRequest', message: 'Give "service" (e.g. "Exchange Online") and optionally "id" (letters and digits), "title", "tenants".' });
        return;
      }
      const shared = sandbox.startIncident({
        id,
        service,
        title: typeof body.title === 'string' ? body.title.slice(0, 300) : undefined,
        impactDescription: typeof body.impactDescription === 'string' ? body.impactDescription.slice(0, 1000) : undefined,
        classification,
        tenantIds: tenants,
      });
      await after(res, 201, shared);
    } catch (error) {
      sendError(res, error);
    }
  });

  server.get('/sandbox/incidents/:issueId', (req: Request, res: Response, next: Next) => {
    const shared = sandbox.sharedIssue(param(req, 'issueId'));
    if (shared) res.send(200, shared);
    else res.send(404, { error: 'unknownIssue', message: 'No tenant shows this issue.' });
    next();
  });

  server.post('/sandbox/incidents/:issueId/update', async (req: Request, res: Response) => {
    try {
      const body = bodyOf(req);
      const status = typeof body.status === 'string' ? normalizeEnum(SERVICE_HEALTH_STATUSES, body.status) : undefined;
      const post = typeof body.post === 'string' && body.post.trim() !== '' ? body.post.slice(0, 2000) : undefined;
      if ((body.status !== undefined && !status) || (!status && !post)) {
        res.send(400, { error: 'badRequest', message: `Give "post" (text) and/or "status" (one of ${SERVICE_HEALTH_STATUSES.join(', ')}).` });
        return;
      }
      await after(res, 200, sandbox.updateIncident(param(req, 'issueId'), { status, post }));
    } catch (error) {
      sendError(res, error);
    }
  });

  server.post('/sandbox/incidents/:issueId/resolve', async (req: Request, res: Response) => {
    try {
      await after(res, 200, sandbox.resolveIncident(param(req, 'issueId')));
    } catch (error) {
      sendError(res, error);
    }
  });

  server.post('/sandbox/incidents/:issueId/tenants/:tenantId/remove', async (req: Request, res: Response) => {
    try {
      const tenantId = param(req, 'tenantId');
      await after(res, 200, sandbox.removeFromTenant(param(req, 'issueId'), tenantId), [tenantId]);
    } catch (error) {
      sendError(res, error);
    }
  });

  server.get('/sandbox/health/:tenantId', async (req: Request, res: Response) => {
    try {
      const overview = await sandbox.getOverview(param(req, 'tenantId'));
      res.send(200, overview);
    } catch (error) {
      sendError(res, error);
    }
  });

  // Synchronous work: restify 11 wants the callback form (three arguments) for a non-async handler.
  server.post('/sandbox/health/:tenantId/issues/:issueId/resolve', (req: Request, res: Response, next: Next) => {
    try {
      const issue = sandbox.resolveIssue(param(req, 'tenantId'), param(req, 'issueId'));
      res.send(200, issue);
    } catch (error) {
      sendError(res, error);
    }
    next();
  });
}

function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function param(req: Request, name: string): string {
  const params = req.params as Record<string, unknown> | undefined;
  const value = params?.[name];
  return typeof value === 'string' ? value : '';
}

function sendError(res: Response, error: unknown): void {
  if (error instanceof UnknownIssueError) res.send(404, { error: 'unknownIssue', message: error.message });
  else if (error instanceof HealthAccessError) res.send(403, { error: 'accessDenied', message: error.message });
  else if (error instanceof RangeError) res.send(400, { error: 'badRequest', message: error.message });
  else res.send(500, { error: 'internal', message: 'The sandbox could not answer.' });
}
