/**
 * The HTTP edge, as an attacker on the internet sees it: request bodies (a gzip bomb, multipart
 * uploads, oversized and trickling bodies), readiness that must prove the database takes writes
 * (a deleted, replaced or read-only SQLite file; a PostgreSQL schema dropped under the bot), and
 * what exists only in local mode (the listen address, the sandbox's unauthenticated routes).
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, copyFileSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { PROJECT_ROOT } from '../../src/app';
import { createLogger } from '../../src/log';
import { buildServer, type BotServer } from '../../src/server';
import { openDatabase } from '../../src/store';
import { execute, message, PARTNER_TENANT } from '../helpers/activities';
import { describeData } from '../helpers/engineer';
import { startApp, type RunningApp } from '../helpers/app';
import { ConnectorDouble } from '../helpers/connector-double';
import { usePostgresSchemas } from '../helpers/postgres';
import { recordChildOutput } from '../helpers/run-log';
import { sleep } from './support';

const ENTRY = join(PROJECT_ROOT, 'dist', 'src', 'index.js');
const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const MB = 1024 * 1024;
/** How long /readyz reuses an answer (src/server.ts): a test that changes the database waits it out. */
const READY_REUSE_MS = 1000;

/** What the server answered, and whether it asked for the body first (100 Continue). */
interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly askedForBody: boolean;
}

/**
 * Sends a request whose body `send` writes, and resolves with the answer as soon as it arrives,
 * whether or not the body was finished: a server that refuses early may close the connection
 * under a client still writing (the write's EPIPE after the answer is not a failure).
 */
function exchange(
  url: string,
  headers: Record<string, string>,
  send: (req: ClientRequest, answered: () => boolean) => Promise<void> | void,
  timeoutMs = 10_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let askedForBody = false;
    // keep-alive, as Bot Framework and browsers send: Node then lets the server read on after answering.
    const req = request(url, { method: 'POST', headers: { connection: 'keep-alive', ...headers }, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('continue', () => (askedForBody = true));
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body, askedForBody });
      });
    });
    req.on('error', (error) => {
      if (answered) return;
      clearTimeout(timer);
      reject(error);
    });
    Promise.resolve(send(req, () => answered)).catch((error: unknown) => {
      if (!answered) reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

/** Writes `total` bytes of `chunk`s, yielding between writes, until done or answered; never ends the request. */
async function writeUntilAnswered(req: ClientRequest, answered: () => boolean, chunk: Buffer, total: number): Promise<number> {
  let written = 0;
  while (written < total && !answered() && !req.destroyed) {
    req.write(chunk);
    written += chunk.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return written;
}

/** A gzip body that inflates to `inflatedBytes` of zeros (about 1000:1), built without holding it inflated. */
async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const zeros = Buffer.alloc(MB);
  for (let n = 0; n < inflatedBytes; n += zeros.length) {
    if (!gzip.write(zeros)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(gzip, 'end');
  return Buffer.concat(out);
}

/** A port free right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The bot as its own process (its memory and temporary folder are its own), listening on 127.0.0.1. */
interface BotProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The process's peak resident memory so far (VmHWM), in bytes. */
  peakRss(): number;
  stop(): Promise<void>;
}

async function startBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const port = await freePort();
  const fullEnv = { PORT: String(port), DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'warn', WORKERS: 'off', ...env };
  const child = spawn(process.execPath, [ENTRY], { env: { PATH: process.env.PATH ?? '', ...fullEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  recordChildOutput(child, fullEnv);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 100 && child.exitCode === null; i += 1) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) {
        return {
          child,
          url,
          peakRss: () => {
            const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
            assert.ok(kb, 'VmHWM in /proc/<pid>/status');
            return Number(kb) * 1024;
          },
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        };
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the bot did not start: ${stderr}`);
}

/** A multipart/form-data body with one part per buffer, as `curl -F` sends it. */
function multipart(boundary: string, parts: readonly Buffer[]): Buffer {
  const pieces: Buffer[] = [];
  parts.forEach((content, i) => {
    pieces.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="f${i}"; filename="f${i}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from('\r\n'),
    );
  });
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

describe('hardening: the HTTP edge', function () {
  this.timeout(60_000);

  describe('a request body the bot cannot read as plain JSON is refused before it is read', function () {
    let bot: BotProcess;
    let scratch: string;

    before(async function () {
      // The process's own temporary folder: whatever a body parser spools to disk lands here.
      scratch = mkdtempSync(join(tmpdir(), 'ed-edge-tmp-'));
      bot = await startBotProcess({ TMPDIR: scratch });
    });
    after(async function () {
      await bot.stop();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('a gzip bomb gets 415 while its body is still arriving, and nothing is inflated', async function () {
      const bomb = await gzipBomb(256 * MB);
      assert.ok(bomb.length < 512 * 1024, `the bomb is small on the wire (${bomb.length} bytes)`);
      const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) };
      const before = bot.peakRss();

      // Half of it, and the request left open: an answer now was given without reading to the end.
      const early = await exchange(`${bot.url}/api/messages`, headers, (req) => {
        req.write(bomb.subarray(0, bomb.length / 2));
      }, 5000);
      assert.equal(early.status, 415);
      assert.deepEqual((early.body as { code?: string }).code, 'UnsupportedMediaType');

      // All of it: still refused, and the process never held anything near its inflated size.
      const whole = await exchange(`${bot.url}/api/messages`, headers, (req) => {
        req.end(bomb);
      });
      assert.equal(whole.status, 415);
      const grown = bot.peakRss() - before;
      assert.ok(grown < 32 * MB, `peak memory grew by ${Math.round(grown / MB)} MB for a 256 MB bomb`);
      assert.equal((await fetch(`${bot.url}/healthz`)).status, 200);
    });

    it('multipart/form-data with two 20 MB parts gets 415 and leaves no file on disk', async function () {
      const part = Buffer.alloc(20 * MB, 0x61);
      const boundary = '----edge-test-boundary';
      const body = multipart(boundary, [part, part]);
      const headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) };

      // As curl sends it (Expect: 100-continue): refused on its headers, the upload never starts.
      const asked = await exchange(`${bot.url}/api/messages`, { ...headers, expect: '100-continue' }, (req) => {
        req.once('continue', () => req.end(body));
      });
      assert.equal(asked.status, 415);
      assert.equal(asked.askedForBody, false, 'no 100 Continue for a body that will be refused');

      // As a client that sends at once: refused all the same.
      const pushed = await exchange(`${bot.url}/api/messages`, headers, (req) => {
        req.end(body);
      });
      assert.equal(pushed.status, 415);
      // The same on a route that takes no body at all, and on one that does not exist.
      for (const path of [`/sandbox/health/${CONTOSO}/issues/EX226792/resolve`, '/nowhere']) {
        const other = await exchange(`${bot.url}${path}`, headers, (req) => {
          req.end(body);
        });
        assert.equal(other.status, 415, path);
      }

      await sleep(200);
      assert.deepEqual(readdirSync(scratch), [], 'nothing was written to the temporary folder');
    });
  });

  describe('JSON bodies: media type, size limit, syntax (the real stack, in-process)', function () {
    let connector: ConnectorDouble;
    let app: RunningApp;

    before(async function () {
      connector = await new ConnectorDouble().start();
      app = await startApp();
    });
    after(async function () {
      await app.stop();
      await connector.stop();
    });

    const help = (): Buffer => Buffer.from(JSON.stringify(message('help', { serviceUrl: connector.url })));
    const post = (headers: Record<string, string>, body: Buffer | string, path = '/api/messages'): Promise<Answer> =>
      exchange(`${app.url}${path}`, headers, (req) => {
        req.end(body);
      });

    it('valid JSON works with any spelling of UTF-8, with identity encoding, and after 100 Continue', async function () {
      const sent = connector.sent().length;
      for (const headers of [
        { 'content-type': 'application/json' },
        { 'content-type': 'Application/JSON; charset="UTF-8"' },
        { 'content-type': 'application/json; charset=utf8', 'content-encoding': 'identity' },
      ] as Array<Record<string, string>>) {
        assert.equal((await post(headers, help())).status, 200, JSON.stringify(headers));
      }
      const body = help();
      const asked = await exchange(`${app.url}/api/messages`, { 'content-type': 'application/json', 'content-length': String(body.length), expect: '100-continue' }, (req) => {
        req.once('continue', () => req.end(body));
      });
      assert.equal(asked.status, 200);
      assert.equal(asked.askedForBody, true);
      await connector.waitForSent(sent + 4);
    });

    it('other media types, charsets and encodings get 415', async function () {
      const cases: Array<Record<string, string>> = [
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
        { 'content-type': 'application/jsonp' },
        { 'content-type': 'application/json; charset=latin1' },
        { 'content-type': 'application/json', 'content-encoding': 'deflate' },
        { 'content-type': 'application/json', 'content-encoding': 'identity, br' },
        {},
      ];
      for (const headers of cases) {
        const answer = await post(headers, help());
        assert.equal(answer.status, 415, JSON.stringify(headers));
        assert.equal((answer.body as { code?: string }).code, 'UnsupportedMediaType');
      }
    });

    it('a body over 1 MB gets 413: at once by its Content-Length, while streaming when chunked', async function () {
      const declared = await exchange(
        `${app.url}/api/messages`,
        { 'content-type': 'application/json', 'content-length': String(2 * MB), expect: '100-continue' },
        (req) => {
          req.once('continue', () => req.end(Buffer.alloc(2 * MB, 0x20)));
        },
      );
      assert.equal(declared.status, 413);
      assert.equal(declared.askedForBody, false);

      // Chunked, never ended: the answer can only come from counting the bytes as they arrive.
      let written = 0;
      const chunked = await exchange(`${app.url}/api/messages`, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, async (req, answered) => {
        written = await writeUntilAnswered(req, answered, Buffer.alloc(64 * 1024, 0x20), 64 * MB);
      });
      assert.equal(chunked.status, 413);
      assert.equal((chunked.body as { code?: string }).code, 'PayloadTooLarge');
      assert.ok(written < 64 * MB, `answered after ${Math.round(written / MB)} MB of a 64 MB body`);
      assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
    });

    it('malformed JSON and bytes that are not UTF-8 get 400; an empty body is not an activity', async function () {
      for (const body of ['{"type": "message",', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), '']) {
        const answer = await post({ 'content-type': 'application/json' }, body);
        assert.equal(answer.status, 400, String(body));
      }
    });
  });

  describe('a body that trickles in gets 408 and its connection is closed', function () {
    let server: BotServer;
    let url: URL;
    const received: unknown[] = [];

    before(async function () {
      server = buildServer({
        messages: (req, res) => {
          received.push(req.body);
          res.send(200, { ok: true });
          return Promise.resolve();
        },
        ready: () => Promise.resolve(),
        logger: createLogger({ level: 'silent' }),
        body: { timeoutMs: 300 },
      });
      const address = await server.listen(0, '127.0.0.1');
      url = new URL(`http://127.0.0.1:${address.port}`);
    });
    after(async function () {
      await server.close(100);
    });

    /** Sends the head, then one byte of body every 50 ms until the server answers and closes. */
    async function trickle(framing: string, byte: (i: number) => string): Promise<{ answer: string; closed: boolean; ms: number }> {
      const socket = connect(Number(url.port), url.hostname);
      await once(socket, 'connect');
      const started = Date.now();
      socket.write(`POST /api/messages HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`);
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
      socket.on('error', () => undefined); // a write racing the server's close
      for (let i = 0; i < 100 && !socket.destroyed && !answer; i += 1) {
        socket.write(byte(i));
        await sleep(50);
      }
      const wasClosed = await Promise.race([closed, sleep(2000).then(() => false)]);
      socket.destroy();
      return { answer, closed: wasClosed, ms: Date.now() - started };
    }

    it('with a Content-Length that never arrives', async function () {
      const { answer, closed, ms } = await trickle('Content-Length: 1000', (i) => (i === 0 ? '{' : ' '));
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"code":"RequestTimeout"/);
      assert.ok(closed, 'the server closed the connection');
      assert.ok(ms < 3000, `answered after ${ms} ms`);
      assert.deepEqual(received, [], 'the endpoint never saw a body');
    });

    it('with a chunked body that never ends', async function () {
      const { answer, closed } = await trickle('Transfer-Encoding: chunked', (i) => (i === 0 ? '1\r\n{\r\n' : '1\r\n \r\n'));
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.ok(closed, 'the server closed the connection');
      assert.deepEqual(received, []);
    });
  });

  describe('readiness proves a write, and a lost SQLite file refuses writes', function () {
    let connector: ConnectorDouble;
    let folder: string;
    let app: RunningApp | undefined;

    beforeEach(async function () {
      connector = await new ConnectorDouble().start();
      folder = mkdtempSync(join(tmpdir(), 'ed-edge-db-'));
    });
    afterEach(async function () {
      await app?.stop();
      app = undefined;
      await connector.stop();
      try {
        execFileSync('chattr', ['-i', join(folder, 'desk.db')], { stdio: 'ignore' });
      } catch {
        // not immutable, or no chattr here
      }
      rmSync(folder, { recursive: true, force: true });
    });

    const readyz = async (running: RunningApp): Promise<number> => (await fetch(`${running.url}/readyz`)).status;

    /** Describes a new problem (a card action that creates an escalation): the invoke's answer. */
    const describeProblem = async (running: RunningApp): Promise<{ statusCode?: number; value?: { message?: string } }> => {
      const res = await running.post('/api/messages', execute('describe', describeData(randomUUID()), { serviceUrl: connector.url }));
      assert.equal(res.status, 200);
      return res.body as { statusCode?: number; value?: { message?: string } };
    };

    it('a deleted database file: /readyz 503, and a write answers with the error message instead of being acknowledged', async function () {
      const file = join(folder, 'desk.db');
      app = await startApp({ DATABASE_URL: `sqlite:${file}` });
      assert.equal(await readyz(app), 200);
      assert.equal((await describeProblem(app)).statusCode, 200);

      unlinkSync(file);
      // The next write finds out, before a readiness probe does.
      const refused = await describeProblem(app);
      assert.equal(refused.statusCode, 500);
      assert.match(String(refused.value?.message), /something went wrong on my side/);
      await sleep(READY_REUSE_MS + 100);
      assert.equal(await readyz(app), 503);
      assert.ok(app.logs.some((l) => l.msg === 'database file lost: refusing every write until restart'));
    });

    it('a database file replaced under the bot: /readyz 503', async function () {
      const file = join(folder, 'desk.db');
      app = await startApp({ DATABASE_URL: `sqlite:${file}` });
      assert.equal(await readyz(app), 200);
      // A restore that copies a backup over the path: a new file, not the one the bot holds open.
      const backup = join(folder, 'backup.db');
      copyFileSync(file, backup);
      renameSync(backup, file);
      await sleep(READY_REUSE_MS + 100);
      assert.equal(await readyz(app), 503);
    });

    it('a read-only database file: /readyz 503', async function () {
      const file = join(folder, 'desk.db');
      const seeded = await openDatabase({ url: `sqlite:${file}` });
      await seeded.close();
      chmodSync(file, 0o444);
      // root ignores file modes: make the file immutable instead.
      if (process.getuid?.() === 0) execFileSync('chattr', ['+i', file]);
      assert.throws(() => openSync(file, 'r+'), 'the file really is read-only to this process');

      app = await startApp({ DATABASE_URL: `sqlite:${file}` });
      assert.equal(await readyz(app), 503);
      assert.equal((await fetch(`${app.url}/healthz`)).status, 200, 'alive, not ready');
    });
  });

  describe('readiness on PostgreSQL', function () {
    const schemas = usePostgresSchemas();
    let app: RunningApp | undefined;
    afterEach(async function () {
      await app?.stop();
      app = undefined;
    });

    it('a schema dropped and recreated empty under the bot: /readyz 503', async function () {
      const { schema, url } = await schemas.create();
      app = await startApp({ DATABASE_URL: url });
      assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
      await schemas.query(`DROP SCHEMA ${schema} CASCADE`);
      await schemas.query(`CREATE SCHEMA ${schema}`);
      await sleep(READY_REUSE_MS + 100);
      assert.equal((await fetch(`${app.url}/readyz`)).status, 503);
    });
  });

  describe('the sandbox is local mode only', function () {
    it('with an app id, /sandbox/* does not exist (even when the sandbox plays Microsoft)', async function () {
      const app = await startApp({
        MicrosoftAppId: '11111111-2222-4333-8444-555555555555',
        MicrosoftAppPassword: 'edge-test-app-password-Jq3v',
        MicrosoftAppTenantId: PARTNER_TENANT,
        PUBLIC_HOSTNAME: 'desk.example.com',
        PARTNER_TENANT_ID: PARTNER_TENANT,
        HEALTH_SOURCE: 'sandbox',
      });
      try {
        assert.equal((await fetch(`${app.url}/sandbox/health/${CONTOSO}`)).status, 404);
        assert.equal((await app.post(`/sandbox/health/${CONTOSO}/issues/EX226792/resolve`, {})).status, 404);
        assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
      } finally {
        await app.stop();
      }
    });
  });
});
