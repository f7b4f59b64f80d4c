/**
 * What every Playground test sets up around its walk: the built bot as a child process in local
 * mode on the sandbox (a SQLite file in a temp folder), a recording proxy in front of it, the
 * Microsoft 365 Agents Playground pointed at the proxy, and Chromium with a fresh context that
 * reaches 127.0.0.1 only. `usePlayground` registers the mocha hooks in the calling `describe`:
 * start before, on a failure a screenshot and what each side said, stop after. Without Chromium
 * the suite is skipped, and under CI=true that is a failure.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { ChildService, freePort } from './processes';
import { RecordingProxy } from './recording-proxy';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(__dirname, '..', '..', '..', '..');
export const RESULTS = join(ROOT, 'test-results');
const BOT_ENTRY = join(ROOT, 'dist', 'src', 'index.js');
const PLAYGROUND_CLI = join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface PlaygroundOptions {
  /** What the test is, for the message when it is skipped. */
  readonly name: string;
  /** The temp folder's prefix. */
  readonly tempPrefix: string;
  /** The screenshot of the page when a test fails, in test-results/. */
  readonly failureShot: string;
  /** Settings of the bot beyond local mode on the sandbox (given the temp folder, for files written there). */
  readonly botEnv?: (tempDir: string) => Readonly<Record<string, string>>;
  /** Settings of the Playground's process (e.g. TZ: it reads its zone from its own process). */
  readonly playgroundEnv?: Readonly<Record<string, string>>;
  /** The browser context: viewport, locale, time zone. */
  readonly context: BrowserContextOptions;
}

/** The running pieces, set once `before` has run. */
export interface Playground {
  readonly tempDir: string;
  readonly bot: ChildService;
  readonly proxy: RecordingProxy;
  readonly page: Page;
  readonly botUrl: string;
  readonly playgroundUrl: string;
  /** Hosts outside 127.0.0.1 the page tried to reach (blocked). */
  readonly blocked: ReadonlySet<string>;
}

/** Registers the hooks that start and stop a Playground around the calling `describe`'s tests. */
export function usePlayground(options: PlaygroundOptions): Playground {
  let tempDir: string | undefined;
  let bot: ChildService | undefined;
  let playground: ChildService | undefined;
  let proxy: RecordingProxy | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let botUrl = '';
  let playgroundUrl = '';
  const blocked = new Set<string>();
  const pageErrors: string[] = [];
  const killAll = (): void => {
    bot?.killNow();
    playground?.killNow();
  };

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
      console.warn(`skipping ${options.name}: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
      this.skip();
    }
    assert.ok(existsSync(BOT_ENTRY), `${BOT_ENTRY} is missing: run npx tsc -p tsconfig.json first`);
    assert.ok(existsSync(PLAYGROUND_CLI), `${PLAYGROUND_CLI} is missing: npm install`);
    mkdirSync(RESULTS, { recursive: true });
    // If mocha dies (--exit, a crash), the children must not outlive it.
    process.once('exit', killAll);

    tempDir = mkdtempSync(join(tmpdir(), options.tempPrefix));
    const botPort = await freePort();
    botUrl = `http://127.0.0.1:${botPort}`;
    bot = ChildService.start(
      'bot',
      process.execPath,
      [BOT_ENTRY],
      {
        ...process.env,
        PORT: String(botPort),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(tempDir, 'desk.db')}`,
        LOG_LEVEL: 'warn',
        // Local mode and the sandbox, whatever the calling shell or a .env says.
        MicrosoftAppId: '',
        MicrosoftAppPassword: '',
        HEALTH_SOURCE: 'sandbox',
        DIRECTORY_SOURCE: 'sandbox',
        SUPPORT_SOURCE: 'sandbox',
        ALLOWED_TENANTS: '',
        ...options.botEnv?.(tempDir),
      },
      ROOT,
    );
    proxy = await new RecordingProxy(botUrl).start();
    await bot.waitForHttp(`${botUrl}/healthz`, 20_000);

    const wantedPort = await freePort();
    playground = ChildService.start(
      'playground',
      process.execPath,
      [PLAYGROUND_CLI, '-e', proxy.url, '-c', 'msteams', '-p', String(wantedPort), '--disable-telemetry'],
      { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', ...options.playgroundEnv },
      ROOT,
    );
    // It falls back to another port if the one asked for was taken meanwhile: read it back.
    const listening = await playground.waitForOutput(/Listening on (\d+)/, 20_000);
    playgroundUrl = `http://127.0.0.1:${listening[1] ?? wantedPort}`;
    await playground.waitForHttp(`${playgroundUrl}/`, 10_000);

    // A fresh profile each run (playwright gives every launch a new temp user-data-dir).
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    context = await browser.newContext(options.context);
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      blocked.add(url.hostname);
      return route.abort();
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    if (page) await page.screenshot({ path: join(RESULTS, options.failureShot) }).catch(() => undefined);
    console.warn('--- activities the bot received:\n' + (proxy?.summary().join('\n') ?? '(none)'));
    console.warn('--- bot output:\n' + (bot?.tail() ?? ''));
    console.warn('--- playground output:\n' + (playground?.tail() ?? ''));
    if (pageErrors.length > 0) console.warn('--- page errors:\n' + pageErrors.join('\n'));
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await Promise.all([playground?.stop(), bot?.stop()]);
    await proxy?.stop();
    process.removeListener('exit', killAll);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  const started = <T>(value: T | undefined, what: string): T => {
    assert.ok(value !== undefined, `the Playground's ${what} is not started (before did not run)`);
    return value;
  };
  return {
    get tempDir() {
      return started(tempDir, 'temp folder');
    },
    get bot() {
      return started(bot, 'bot');
    },
    get proxy() {
      return started(proxy, 'proxy');
    },
    get page() {
      return started(page, 'page');
    },
    get botUrl() {
      return botUrl;
    },
    get playgroundUrl() {
      return playgroundUrl;
    },
    blocked,
  };
}
