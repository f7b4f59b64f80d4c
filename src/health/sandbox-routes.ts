/**
 * HTTP routes of the sandbox, for demos and end-to-end tests: read a tenant's sandbox
 * health and resolve an incident as Microsoft would. Register them only in local mode (no app
 * id) with HEALTH_SOURCE=sandbox: they are unauthenticated by design.
 */
import type { Next, Request, Response, Server } from 'restify';
import type { SandboxHealthProvider } from './sandbox';
import { HealthAccessError, UnknownIssueError } from './types';

/** Adds GET /sandbox/health/:tenantId and POST /sandbox/health/:tenantId/issues/:issueId/resolve. */
export function registerSandboxHealthRoutes(server: Server, sandbox: SandboxHealthProvider): void {
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

function param(req: Request, name: string): string {
  const params = req.params as Record<string, unknown> | undefined;
  const value = params?.[name];
  return typeof value === 'string' ? value : '';
}

function sendError(res: Response, error: unknown): void {
  if (error instanceof UnknownIssueError) res.send(404, { error: 'unknownIssue', message: error.message });
  else if (error instanceof HealthAccessError) res.send(403, { error: 'accessDenied', message: error.message });
  else res.send(500, { error: 'internal', message: 'The sandbox could not answer.' });
}
