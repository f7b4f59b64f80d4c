import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/app';
import { ConnectorDouble } from './helpers/connector-double';
import { execute } from './helpers/activities';
import { recordChildOutput } from './helpers/run-log';

const ENTRY = join(PROJECT_ROOT, 'dist', 'src', 'index.js');

/** Starts the real entry point and resolves once it is listening. */
async function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; stderr: () => string; stdout: () => string }> {
  const child = spawn(process.execPath, [ENTRY], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  recordChildOutput(child, env);
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url, stderr: () => err, stdout: () => out };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`bot did not start: ${err}`);
}

/** Runs the entry point to completion and returns its exit code and stderr. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [ENTRY], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  recordChildOutput(child, env);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));

describe('the bot process', () => {
  let connector: ConnectorDouble;
  before(async () => {
    connector = await new ConnectorDouble().start();
  });
  after(async () => connector.stop());

  it('CLOUD=germany stops start-up with one specific line', async () => {
    const { code, stderr } = await runToExit({ CLOUD: 'germany', PORT: '39781' });
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /CLOUD.*Microsoft Cloud Germany closed on 2021-10-29.*CLOUD=public/);
  });

  it('a malformed DATABASE_URL stops start-up with one specific line', async () => {
    const { code, stderr } = await runToExit({ DATABASE_URL: 'postgres://user:hunter2@/nodb', PORT: '39782' });
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /DATABASE_URL/);
    assert.ok(!stderr.includes('hunter2'));
  });

  it('local mode listens on 127.0.0.1 unless HOST says otherwise, and then warns', async () => {
    const listening = (stdout: string) =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg?: string; host?: string; level?: number });
    const quiet = await startProcess({ PORT: '39784', DATABASE_URL: 'sqlite::memory:', WORKERS: 'off' });
    quiet.child.kill('SIGTERM');
    await exited(quiet.child);
    const lines = listening(quiet.stdout());
    assert.equal(lines.find((l) => l.msg?.startsWith('listening'))?.host, '127.0.0.1');
    assert.ok(!lines.some((l) => l.msg?.includes('listens beyond this machine')));

    const open = await startProcess({ PORT: '39785', HOST: '0.0.0.0', DATABASE_URL: 'sqlite::memory:', WORKERS: 'off' });
    open.child.kill('SIGTERM');
    await exited(open.child);
    const warning = listening(open.stdout()).find((l) => l.msg?.includes('listens beyond this machine'));
    assert.equal(warning?.level, 40, 'a warning');
    assert.equal(warning?.host, '0.0.0.0');
  });

  it('killed with SIGKILL between two turns, it loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ed-kill-'));
    const env = { PORT: '39783', DATABASE_URL: `sqlite:${join(dir, 'desk.db')}`, LOG_LEVEL: 'warn' };
    const post = async (url: string, verb: string, data: Record<string, unknown>) => {
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(execute(verb, data, { serviceUrl: connector.url })),
      });
      return JSON.stringify(await res.json());
    };

    const first = await startProcess(env);
    const describeCard = await post(first.url, 'escalate', {});
    const flowId = /"flowId":"([^"]+)"/.exec(describeCard)?.[1] ?? '';
    const match = await post(first.url, 'describe', {
      flowId,
      customerTenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01',
      service: 'Exchange Online',
      title: 'Users cannot send mail',
      description: 'Outbound mail is stuck',
      sinceDate: new Date().toISOString().slice(0, 10),
      usersAffected: 5,
    });
    const id = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(match)?.[1] ?? '';
    assert.ok(id);
    await post(first.url, 'knownDiffers', { escalationId: id, notSameReason: 'different' });
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await startProcess(env);
    try {
      const card = await post(second.url, 'refresh', { escalationId: id });
      assert.match(card, /Troubleshoot with admin privileges/);
      const list = await post(second.url, 'list', {});
      assert.match(list, new RegExp(id));
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  });
});
