/**
 * The tab's page: its own files (HTML under a Content-Security-Policy that lets Teams,
 * Microsoft 365 and Outlook frame it) and the vendor scripts it loads, found through Node's
 * resolver. Nothing else is served.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type restify from 'restify';
import type { Logger } from '../log';
import { paramOf, queryOf, sendError } from './http';

/** The page's strings for a locale (the `tab` section of locales/, the chat's state names and clock texts). */
export type TabStrings = (locale: string | undefined) => Readonly<Record<string, unknown>>;

/** Content types of the page's own files, by extension. */
const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** A file of the page's own folder: a plain lowercase name (no path, so nothing outside the folder). */
const OWN_FILE = /^[a-z][a-z0-9-]*\.(html|js|css)$/;

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

/** Registers `/tab` (and `/tab/`), `/tab/strings.json`, `/tab/:file` and `/tab/vendor/:file`. */
export function registerStaticRoutes(server: restify.Server, staticDir: string, logger: Logger, strings: TabStrings): void {
  const vendor = vendorFiles();

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
    const match = OWN_FILE.exec(name);
    const type = match ? TYPES[match[1] ?? ''] : undefined;
    const headers: Record<string, string> = { 'Cache-Control': 'no-cache' };
    if (type?.startsWith('text/html')) headers['Content-Security-Policy'] = PAGE_CSP;
    await sendFile(res, match && type ? join(staticDir, name) : undefined, type ?? '', headers);
  };

  // `/tab/` is the address the README gives; both it and `/tab` are the page.
  for (const path of ['/tab', '/tab/']) {
    server.get(path, async (_req: restify.Request, res: restify.Response) => {
      await page('index.html', res);
    });
  }
  server.get('/tab/strings.json', (req: restify.Request, res: restify.Response, next: restify.Next) => {
    const locale = queryOf(req).get('locale') ?? undefined;
    res.sendRaw(200, JSON.stringify(strings(locale)), {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    next();
  });
  server.get('/tab/vendor/:file', async (req: restify.Request, res: restify.Response) => {
    const name = paramOf(req, 'file') ?? '';
    const path = Object.prototype.hasOwnProperty.call(vendor, name) ? vendor[name] : undefined;
    await sendFile(res, path, 'text/javascript; charset=utf-8', { 'Cache-Control': 'public, max-age=3600' });
  });
  server.get('/tab/:file', async (req: restify.Request, res: restify.Response) => {
    await page(paramOf(req, 'file') ?? '', res);
  });
}
