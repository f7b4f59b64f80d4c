/**
 * The tab API's HTTP helpers: reading a request's query and route parameters, answering JSON
 * (with an ETag the page polls with) and errors, and the wrapper that authenticates every API
 * call and turns failures into answers without logging a token.
 */
import { createHash } from 'node:crypto';
import type restify from 'restify';
import type { Logger } from '../log';
import { TabAuthError, type TabAuthenticator, type TabIdentity } from './auth';

/** The query of a request, independent of whichever query plugin the server uses. */
export function queryOf(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/** A route parameter as text (restify types `params` as any). */
export function paramOf(req: restify.Request, name: string): string | undefined {
  const params = req.params as Record<string, unknown> | undefined;
  const value = params?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** An answer refused with a status and a short English message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends JSON with a strong validator so the page can poll with `If-None-Match`. */
export function sendJson(req: restify.Request, res: restify.Response, body: unknown): void {
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
export function sendError(res: restify.Response, status: number, code: string, message: string, challenge?: string): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' };
  if (challenge) headers['WWW-Authenticate'] = challenge;
  res.sendRaw(status, JSON.stringify({ code, message }), headers);
}

/** An API handler, called with the authenticated caller. */
export type ApiHandler = (req: restify.Request, res: restify.Response, identity: TabIdentity) => Promise<void>;

/** Turns an API handler into a route handler. */
export type ApiRoute = (handler: ApiHandler) => restify.RequestHandler;

/** Makes API routes: each authenticates, answers errors, never leaks a token to the log. */
export function apiRoutes(authenticate: TabAuthenticator, logger: Logger): ApiRoute {
  return (handler: ApiHandler) =>
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
}
