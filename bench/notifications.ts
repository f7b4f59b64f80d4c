/**
 * 2,000 escalations resolved by Microsoft over 200 conversations in one tenant: the tracker
 * moves them and enqueues the notifications, the outbox worker delivers them through the real
 * botbuilder ProactiveSender to a connector double on 127.0.0.1 (on a thread of its own) that ENFORCES Teams'
 * per-conversation limits (429 without Retry-After when exceeded). Prints the delivery time
 * against the lower bound Teams' limits allow, the 429s received, and lost / duplicate
 * notifications (both must be 0).
 *
 *   node dist/bench/notifications.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { systemClock } from '../src/domain/clock';
import { openDatabase } from '../src/store';
import type { ServiceRequest, SupportProvider } from '../src/support/types';
import { OutboxWorker } from '../src/tracking/outbox-worker';
import { Tracker } from '../src/tracking/tracker';
import { TEAMS_CONVERSATION_LIMITS, TEAMS_TENANT_LIMITS } from '../test/helpers/connector-double';
import { deliveriesByKey, ThreadedConnector } from './support/connector-thread';
import { linkedEscalation, realSender, storeConversation } from '../test/tracking/rig';
import { lowerBoundMs } from './support/teams-bound';

/** The scenario of issue #5, then one where the per-conversation windows bind instead of the tenant's. */
const SCENARIOS: ReadonlyArray<{ readonly name: string; readonly escalations: number; readonly conversations: number }> = [
  { name: '2,000 escalations over 200 conversations (tenant limit binds)', escalations: 2_000, conversations: 200 },
  { name: '300 escalations over 5 conversations (conversation limits bind)', escalations: 300, conversations: 5 },
];
/** The bench gives up (and says so) beyond this. */
const DEADLINE_MS = 5 * 60_000;

/** Microsoft has closed every request. */
const closedEverywhere: SupportProvider = {
  source: 'sandbox',
  getRequest: (id: string): Promise<ServiceRequest> =>
    Promise.resolve({ id, title: '', description: '', severity: 'moderate', status: 'closed', supportTopicName: '', productName: '', notes: [] }),
  listCustomerRequests: () => Promise.resolve([]),
  addNote: () => Promise.resolve(undefined),
  setStatus: () => Promise.resolve(undefined),
};

async function main(): Promise<void> {
  let failed = false;
  for (const scenario of SCENARIOS) {
    console.log(`\n${scenario.name}`);
    failed = !(await run(scenario.escalations, scenario.conversations)) || failed;
  }
  if (failed) process.exitCode = 1;
}

/** Runs one scenario; false when a notification was lost or duplicated. */
async function run(escalationCount: number, conversationCount: number): Promise<boolean> {
  const logger = pino({ level: 'silent' });
  const folder = mkdtempSync(join(tmpdir(), 'ed-bench-'));
  const db = await openDatabase({ url: join(folder, 'bench.db') });
  const connector = await ThreadedConnector.start(TEAMS_CONVERSATION_LIMITS, TEAMS_TENANT_LIMITS);
  try {
    const targets: string[] = [];
    for (let c = 0; c < conversationCount; c++) targets.push(await storeConversation(db, connector, `a:conversation-${c}`));
    for (let i = 0; i < escalationCount; i++) {
      await linkedEscalation(db, String(100_000 + i), [targets[i % conversationCount]], systemClock.now());
    }

    const tracker = new Tracker({
      escalations: db.escalations,
      tracking: db.tracking,
      support: closedEverywhere,
      clock: systemClock,
      logger,
      batchSize: 200,
      concurrency: 8,
      // The bench measures delivery: the Partner Center read budget (600 / min) would hold the rest back.
      requestPollsPerMinute: 1_000_000,
    });
    const trackStart = Date.now();
    let resolved = 0;
    for (let round = 0; round < 100; round++) {
      const { claimed, changed } = await tracker.runOnce();
      resolved += changed;
      if (claimed === 0) break;
    }
    const trackMs = Date.now() - trackStart;

    const worker = new OutboxWorker({
      outbox: db.outbox,
      conversations: db.conversations,
      sender: realSender(logger),
      clock: systemClock,
      logger,
      batchSize: 400,
      concurrency: 64,
      idleMs: 20,
    });
    const started = Date.now();
    worker.start();
    const sent = async (): Promise<number> => (await connector.snapshot()).calls.filter((c) => c.method === 'POST').length;
    while ((await sent()) < escalationCount && Date.now() - started < DEADLINE_MS) await delay(50);
    const elapsed = Date.now() - started;
    await worker.stop();

    // Lost: an escalation whose notification did not arrive in its own conversation.
    const expected = new Map<string, string>();
    const escalations = await db.escalations.list({ limit: 500 });
    let page = escalations;
    for (let pages = 0; pages < 10; pages++) {
      for (const e of page.items) {
        for (const n of await db.outbox.listForEscalation(e.id)) expected.set(n.id, n.target);
      }
      if (!page.nextCursor) break;
      page = await db.escalations.list({ limit: 500, cursor: page.nextCursor });
    }
    const seen = await connector.snapshot();
    const byKey = deliveriesByKey(seen.calls);
    const duplicates = [...byKey.values()].filter((calls) => calls.length > 1).length;
    let lost = 0;
    for (const [id, target] of expected) {
      const delivered = byKey.get(id) ?? [];
      if (delivered.length === 0 || !target.endsWith(`|${delivered[0].conversationId}`)) lost++;
    }
    lost += escalationCount - expected.size;
    const bound = lowerBoundMs(conversationCount, escalationCount / conversationCount);

    const lines = [
      `escalations resolved by the tracker: ${resolved} in ${trackMs} ms`,
      `notifications delivered:             ${seen.calls.filter((c) => c.method === 'POST').length} / ${escalationCount} in ${(elapsed / 1000).toFixed(1)} s`,
      `lower bound from Teams limits:       ${(bound / 1000).toFixed(1)} s (per conversation 7/1 s, 8/2 s, 60/30 s, 1800/h; tenant 50/s)`,
      `ratio (time / lower bound):          ${(elapsed / Math.max(bound, 1)).toFixed(2)}`,
      `429s received from the connector:    ${seen.throttled}`,
      `lost notifications:                  ${lost}`,
      `duplicate notifications:             ${duplicates}`,
      `worker: sent ${worker.stats.sent}, retried ${worker.stats.retried}, dead ${worker.stats.dead}, throttled ${worker.stats.throttled}`,
    ];
    console.log(lines.map((l) => `  ${l}`).join('\n'));
    return lost === 0 && duplicates === 0;
  } finally {
    await connector.stop();
    await db.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
