/** The scan behind the run-wide log check finds what it must, and only that. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log';
import { LogRecord, logSink, recordChildOutput } from './run-log';

describe('run-wide log scan', function () {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImF1ZCI6ImFwcCJ9.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu';

  it('finds a configured secret, a JSON Web Token and a bearer credential in log lines', async function () {
    const record = new LogRecord();
    const logger = createLogger({ level: 'debug', destination: logSink({ PARTNER_CENTER_CLIENT_SECRET: 'pc-secret-Walrus-77', LOG_LEVEL: 'debug' }, {}, record) });
    logger.info({ detail: 'failed with pc-secret-Walrus-77' }, 'upstream refused');
    logger.warn({ header: `Bearer ${'x'.repeat(30)}` }, 'retrying');
    logger.error({ raw: jwt }, 'token rejected');
    logger.info({ tenant: 'contoso' }, 'harmless');
    await new Promise((resolve) => setImmediate(resolve));
    const { lines, leaks } = record.scan();
    assert.equal(lines, 4);
    assert.equal(leaks.length, 3, leaks.join('\n'));
    assert.match(leaks[0] ?? '', /configured secret \(pc-s…\)/);
    assert.match(leaks.join('\n'), /bearer credential/);
    assert.match(leaks.join('\n'), /JSON Web Token/);
  });

  it('redacted fields, short values and non-secret settings are not leaks', async function () {
    const record = new LogRecord();
    const logger = createLogger({ level: 'debug', destination: logSink({ MicrosoftAppPassword: 'app-password-Heron-12', WORKERS: 'off', MicrosoftAppId: '11111111-2222-4333-8444-555555555555' }, {}, record) });
    // The service's logger censors these keys wherever they appear.
    logger.info({ password: 'app-password-Heron-12', token: jwt, appId: '11111111-2222-4333-8444-555555555555' }, 'configured');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(record.scan().leaks, []);
  });

  it("finds a secret a child process wrote across two chunks, on stdout or stderr", async function () {
    const record = new LogRecord();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    // Only the two streams are read.
    recordChildOutput({ stdout, stderr } as unknown as ChildProcess, { GRAPH_CLIENT_SECRET: 'graph-secret-Otter-31' }, record);
    stdout.write('{"msg":"starting"}\n{"msg":"used graph-sec');
    stdout.end('ret-Otter-31"}\n');
    stderr.end('last words without a newline');
    await new Promise((resolve) => setImmediate(resolve));
    const { lines, leaks } = record.scan();
    assert.equal(lines, 3);
    assert.equal(leaks.length, 1, leaks.join('\n'));
    assert.match(leaks[0] ?? '', /configured secret \(grap…\)/);
  });
});
