/**
 * An existing multi-tenant bot registration still starts, with a note saying why new ones
 * cannot be multi-tenant; the default (SingleTenant) starts without it.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { recordChildOutput } from '../helpers/run-log';

const ENTRY = join(PROJECT_ROOT, 'dist', 'src', 'index.js');
const APP_ID = '11111111-2222-4333-8444-555555555555';
const TENANT = '72f988bf-0000-4000-8000-000000000001';

/** Starts the entry point, returns its log lines up to "listening", then stops it. */
async function startupLines(env: Record<string, string>): Promise<string[]> {
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'sqlite::memory:', WORKERS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  recordChildOutput(child, env);
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        lines.push(...d.toString().split('\n').filter(Boolean));
        if (lines.some((l) => l.includes('"msg":"listening'))) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
  return lines.map((l) => String((JSON.parse(l) as { msg?: unknown }).msg));
}

describe('deploy: MicrosoftAppType at start-up', function () {
  this.timeout(30_000);
  const common = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'startup-note-password-1', PUBLIC_HOSTNAME: 'desk.example.com', PARTNER_TENANT_ID: TENANT };

  it('MultiTenant starts, with a note that new registrations are SingleTenant or UserAssignedMSI', async () => {
    const messages = await startupLines({ ...common, MicrosoftAppType: 'MultiTenant', PORT: '39791' });
    const note = messages.find((m) => m.startsWith('MicrosoftAppType=MultiTenant'));
    assert.ok(note, messages.join('\n'));
    assert.match(note, /2025-07-31.*SingleTenant or UserAssignedMSI/);
  });

  it('the default, SingleTenant, starts without the note', async () => {
    const messages = await startupLines({ ...common, MicrosoftAppTenantId: TENANT, PORT: '39792' });
    assert.ok(messages.some((m) => m.startsWith('listening')));
    assert.ok(!messages.some((m) => m.includes('MultiTenant')), messages.join('\n'));
  });
});
