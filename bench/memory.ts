/**
 * Resident memory of one Escalation Desk process with a realistic amount of data: 100,000
 * escalations in the store (created through the app's EscalationStore, SQLite temp file) and
 * 1,000 open dialogs (1,000 conversations of different engineers, each left after `describe`,
 * driven through POST /api/messages), workers off. Two parts:
 *
 * 1. In this process (harness, connector double and service together): RSS after a full GC at
 *    each stage, split into V8 heap and the rest. Informational: it includes the harness.
 * 2. The bot as its own process, started exactly as `npm start` starts it (the `start` script
 *    of package.json, with its node flags): RSS from /proc with no forced GC, right after
 *    start and right after the load. Its end state is the target: under 200 MB.
 *
 *   node --expose-gc dist/bench/memory.js          (after npm run build)
 *
 * Without --expose-gc the first part's figures include garbage not yet collected (it says so).
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import type { Actor } from '../src/domain/escalation';
import { ConnectorDouble } from '../test/helpers/connector-double';
import { BotClient, participant, readAnswer, startCommand, stepActivity, type FlowIds } from './support/common';

const ESCALATIONS = 100_000;
/** Escalations created concurrently (each create is its own transaction). */
const BATCH = 500;
const DIALOGS = 1_000;
const DIALOG_CONCURRENCY = 25;
const LIMIT_MB = 200;

const SERVICES = ['Exchange Online', 'Microsoft Teams', 'SharePoint Online', 'OneDrive for Business', 'Microsoft Entra', 'Microsoft Intune'];

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** V8 hands pages a collection freed back to the OS from a background thread, shortly after. */
const RELEASE_WAIT_MS = 1_000;

/** RSS and heap after a full collection (when --expose-gc allows one) and the release of what it freed. */
async function sample(label: string): Promise<number> {
  if (gc) {
    gc();
    gc();
    await sleep(RELEASE_WAIT_MS);
  }
  const m = process.memoryUsage();
  const v8Resident = getHeapStatistics().total_physical_size;
  console.log(
    `  ${label.padEnd(44)} rss ${mb(m.rss).padStart(9)}  heapUsed ${mb(m.heapUsed).padStart(8)}  heap resident ${mb(v8Resident).padStart(8)}  outside the V8 heap ${mb(m.rss - v8Resident).padStart(8)}`,
  );
  return m.rss;
}

async function main(): Promise<void> {
  if (!gc) console.log('(run with node --expose-gc for collected figures; these include uncollected garbage)');
  const bare = await sample('node + bench harness, app not loaded');
  // Loaded here, not at the top, so the first figure shows what loading the service costs.
  const { createApp } = await import('../src/app');
  const { loadConfig } = await import('../src/config');
  const { createEscalation } = await import('../src/domain/escalation');
  const { createLogger } = await import('../src/log');
  const folder = mkdtempSync(join(tmpdir(), 'ed-bench-memory-'));
  const connector = await new ConnectorDouble().start();
  const config = loadConfig({ env: { DATABASE_URL: `sqlite:${join(folder, 'bench.db')}`, WORKERS: 'off', LOG_LEVEL: 'warn' }, dotenvPath: null });
  const app = await createApp(config, createLogger({ level: config.logLevel }));
  const address = await app.server.listen(0, '127.0.0.1');
  const client = new BotClient(`http://127.0.0.1:${address.port}`);
  try {
    console.log(`Memory: ${ESCALATIONS.toLocaleString('en-US')} escalations (SQLite temp file) + ${DIALOGS.toLocaleString('en-US')} open dialogs, one process`);
    const before = await sample('service built, empty database');

    const started = Date.now();
    const partners = Array.from({ length: 20 }, () => randomUUID());
    const customers = Array.from({ length: 500 }, (_, i) => ({ tenantId: randomUUID(), name: `Customer ${i}` }));
    for (let done = 0; done < ESCALATIONS; done += BATCH) {
      await Promise.all(
        Array.from({ length: Math.min(BATCH, ESCALATIONS - done) }, async (_, j) => {
          const n = done + j;
          const owner: Actor = { kind: 'user', id: `00000000-0000-4000-8000-${String(n % 2000).padStart(12, '0')}`, name: `Engineer ${n % 2000}` };
          const { escalation, event } = createEscalation(
            {
              id: `ED-${n.toString(36).toUpperCase().padStart(8, '0')}`,
              partnerTenantId: partners[n % partners.length] ?? '',
              ownerId: owner.id,
              ownerName: owner.name,
              customer: customers[n % customers.length] ?? { tenantId: randomUUID(), name: 'x' },
              service: SERVICES[n % SERVICES.length] ?? 'Exchange Online',
              title: `Problem ${n}: users cannot send mail`,
              description: `Outbound mail is delayed and stuck in the queue for all users (case ${n}).`,
              usersAffected: 10 + (n % 500),
              regions: ['West Europe'],
            },
            owner,
            new Date(Date.now() - (ESCALATIONS - n) * 60_000),
          );
          await app.database.escalations.create(escalation, [event]);
        }),
      );
    }
    console.log(`  (created ${ESCALATIONS.toLocaleString('en-US')} escalations in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    const afterEscalations = await sample(`after ${ESCALATIONS.toLocaleString('en-US')} escalations`);

    const dialogStarted = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: DIALOG_CONCURRENCY }, async () => {
        while (next < DIALOGS) {
          const who = participant(connector.url, `mem-${next++}`);
          const ids: FlowIds = {};
          for (const step of ['escalate', 'describe'] as const) {
            readAnswer(step, await client.post('/api/messages', stepActivity(who, step, ids, '')), ids, true);
          }
        }
      }),
    );
    console.log(`  (opened ${DIALOGS.toLocaleString('en-US')} dialogs, each after describe, in ${((Date.now() - dialogStarted) / 1000).toFixed(1)} s)`);
    const after = await sample(`after ${DIALOGS.toLocaleString('en-US')} open dialogs (held)`);
    const open = await app.database.escalations.list({ states: ['known_issue', 'draft'], limit: 1 });
    console.log(`  open dialogs' escalations present: ${open.items.length > 0 ? 'yes' : 'NO'}`);
    console.log(`RSS bare ${mb(bare)}, before ${mb(before)}, after escalations ${mb(afterEscalations)}, after dialogs ${mb(after)} (+${mb(after - before)})`);
    console.log(`(harness and service in one process, for the split above; the target is the bot process's figure below)`);
  } finally {
    client.close();
    await app.close(1000);
    await connector.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Resident memory of another process, from /proc (Linux). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

/**
 * The same load against the bot as its own process (as `npm start` runs it), so the figure is
 * the bot's alone, without the bench client's sockets and the connector double's records.
 */
async function botProcess(): Promise<void> {
  const { openDatabase } = await import('../src/store');
  const { createEscalation } = await import('../src/domain/escalation');
  const folder = mkdtempSync(join(tmpdir(), 'ed-bench-memory-child-'));
  const url = `sqlite:${join(folder, 'bench.db')}`;
  const port = 39000 + Math.floor(Math.random() * 2000);
  const connector = await new ConnectorDouble().start();
  const start = startCommand();
  const child = spawn(process.execPath, [...start.flags, start.entry], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, WORKERS: 'off', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const client = new BotClient(`http://127.0.0.1:${port}`);
  try {
    for (let i = 0; i < 100; i += 1) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = child.pid ?? 0;
    console.log(`Memory of the bot process alone (\`${start.script}\`, pid ${pid}, RSS from /proc, no forced GC):`);
    const started = rssOf(pid);
    console.log(`  started, empty database                    rss ${mb(started).padStart(9)}`);
    // Escalations are written by this process into the same SQLite file (WAL allows it).
    const db = await openDatabase({ url });
    const owner: Actor = { kind: 'user', id: '00000000-0000-4000-8000-000000000001', name: 'Engineer' };
    for (let done = 0; done < ESCALATIONS; done += BATCH) {
      await Promise.all(
        Array.from({ length: Math.min(BATCH, ESCALATIONS - done) }, async (_, j) => {
          const n = done + j;
          const { escalation, event } = createEscalation(
            {
              id: `ED-${n.toString(36).toUpperCase().padStart(8, '0')}`,
              partnerTenantId: 'local',
              ownerId: owner.id,
              customer: { tenantId: randomUUID(), name: `Customer ${n % 500}` },
              service: SERVICES[n % SERVICES.length] ?? 'Exchange Online',
              title: `Problem ${n}: users cannot send mail`,
              description: `Outbound mail is delayed and stuck in the queue for all users (case ${n}).`,
            },
            owner,
            new Date(),
          );
          await db.escalations.create(escalation, [event]);
        }),
      );
    }
    await db.close();
    // The bot reads them (a list touches the table) before it is measured.
    await client.post('/api/messages', stepActivity(participant(connector.url, 'mem-list'), 'escalate', {}, ''));
    const afterEscalations = rssOf(pid);
    console.log(`  after ${ESCALATIONS.toLocaleString('en-US')} escalations                rss ${mb(afterEscalations).padStart(9)}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: DIALOG_CONCURRENCY }, async () => {
        while (next < DIALOGS) {
          const who = participant(connector.url, `mem-child-${next++}`);
          const ids: FlowIds = {};
          for (const step of ['escalate', 'describe'] as const) {
            readAnswer(step, await client.post('/api/messages', stepActivity(who, step, ids, '')), ids, true);
          }
        }
      }),
    );
    const after = rssOf(pid);
    console.log(`  after ${DIALOGS.toLocaleString('en-US')} open dialogs (held)             rss ${mb(after).padStart(9)}`);
    console.log(`Bot process RSS: started ${mb(started)}, after the load ${mb(after)} (+${mb(after - started)})`);
    console.log(`Bot process under ${LIMIT_MB} MB after the load: ${after < LIMIT_MB * 1024 * 1024 ? 'YES' : 'NO'} (${mb(after)})`);
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    await connector.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main()
  .then(() => botProcess())
  .catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
