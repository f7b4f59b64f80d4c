/** The response clocks on the tab's escalation list and detail, read at request time from stored times. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/domain/clock';
import { startApp } from '../helpers/app';
import { CONTOSO, addEscalation, startTabServer, type TabServer } from './fixtures';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const ago = (hours: number): string => new Date(NOW - hours * 3_600_000).toISOString();
const CONTOSO_REF = { tenantId: CONTOSO, name: 'Contoso Ltd' };

interface Row {
  id: string;
  clocks: { kind: string; severity?: string; startedAt: string; dueAt: string; stoppedAt?: string; state: string; minutesLeft?: number }[];
}

describe('tab API: response clocks on escalations', () => {
  let tab: TabServer;
  before(async () => {
    tab = await startTabServer({ mode: 'development' }, { clock: new ManualClock(new Date(NOW)) });
    const toHandoff = (h: number) => [
      { to: 'triage' as const, at: ago(h) },
      { to: 'awaiting_handoff' as const, at: ago(h) },
    ];
    // Sev A request created 9 h ago, Microsoft's first note an hour later: met.
    await addEscalation(tab.database, {
      id: 'esc-ms-met',
      customer: CONTOSO_REF,
      createdAt: ago(10),
      steps: [
        ...toHandoff(9.5),
        {
          to: 'escalated',
          at: ago(9),
          details: { serviceRequestId: '100', requestCreatedAt: ago(9), requestSeverity: 'critical', microsoftFirstResponse: { at: ago(8), kind: 'note', by: 'Microsoft Support' } },
        },
      ],
    });
    // Sev B request created 5 h ago, no answer: an hour late and still running.
    await addEscalation(tab.database, {
      id: 'esc-ms-late',
      customer: CONTOSO_REF,
      createdAt: ago(6),
      steps: [...toHandoff(5.5), { to: 'escalated', at: ago(5), details: { serviceRequestId: '101', requestCreatedAt: ago(5), requestSeverity: 'moderate' } }],
    });
    // Told the customer after 49 h against 48: a breach, stopped.
    await addEscalation(tab.database, {
      id: 'esc-told-late',
      customer: CONTOSO_REF,
      createdAt: ago(50),
      steps: [
        ...toHandoff(49.5),
        { to: 'escalated', at: ago(49), details: { serviceRequestId: '102' } },
        { to: 'resolved', at: ago(2) },
        { to: 'customer_notified', at: ago(1), details: { customerNotified: { by: 'Ada Engineer', at: ago(1), contact: 'admin@contoso.example', message: 'Fixed.' } } },
      ],
    });
  });
  after(async () => {
    await tab.stop();
  });

  const list = async (): Promise<Map<string, Row>> => {
    const res = await fetch(`${tab.url}/api/escalations?limit=100`);
    assert.equal(res.status, 200);
    return new Map(((await res.json()) as { items: Row[] }).items.map((i) => [i.id, i]));
  };

  it('Microsoft\u2019s clock: met when the first response came within the plan, breached-running with negative minutes when late', async () => {
    const rows = await list();
    assert.deepEqual(rows.get('esc-ms-met')?.clocks[0], {
      kind: 'microsoft',
      severity: 'A',
      startedAt: ago(9),
      dueAt: ago(7),
      stoppedAt: ago(8),
      state: 'met',
    });
    assert.deepEqual(rows.get('esc-ms-late')?.clocks[0], { kind: 'microsoft', severity: 'B', startedAt: ago(5), dueAt: ago(1), state: 'breached-running', minutesLeft: -60 });
  });

  it('the partner\u2019s clock: from the report to the customer told, at the customer\u2019s own target when the directory overrides it', async () => {
    const rows = await list();
    assert.deepEqual(rows.get('esc-ms-met')?.clocks[1], { kind: 'partner', startedAt: ago(10), dueAt: ago(-38), state: 'running', minutesLeft: 38 * 60 });
    assert.deepEqual(rows.get('esc-told-late')?.clocks, [
      { kind: 'partner', startedAt: ago(50), dueAt: ago(2), stoppedAt: ago(1), state: 'breached' },
    ]);
    // Seeded 5 h ago; Fabrikam's target is 24 h (the default 48 h would leave 43 h).
    const fabrikam = rows.get('esc-fabrikam-teams')?.clocks;
    assert.deepEqual(fabrikam?.map((c) => [c.kind, c.state, c.minutesLeft]), [['partner', 'running', 19 * 60]]);
    // 75 h ago against 48 h: 27 h late.
    assert.deepEqual(rows.get('esc-contoso-mail')?.clocks.map((c) => [c.kind, c.state, c.minutesLeft]), [['partner', 'breached-running', -27 * 60]]);
  });

  it('no clock for an escalation closed as not warranted; the detail carries the same clocks as the list', async () => {
    const rows = await list();
    assert.deepEqual(rows.get('esc-contoso-sharepoint')?.clocks, []);
    const res = await fetch(`${tab.url}/api/escalations/esc-ms-late`);
    const body = (await res.json()) as { escalation: { summary: Row } };
    assert.deepEqual(body.escalation.summary.clocks, rows.get('esc-ms-late')?.clocks);
  });
});

describe('tab API: the partner\u2019s target per customer, from the directory and from the configured file', () => {
  const WINGTIP = 'e9a2b5c0-1f3b-4a69-9c4e-8b0f6d1a3c13';
  const NURI = 'f0b3c6d1-2a4c-4b70-8d5f-9c1a7e2b4d14';
  const SANDBOX_CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
  const NORTHWIND_SANDBOX = 'c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03';
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'ed-tab-targets-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('reads each partner clock at its customer\u2019s hours: the sandbox directory\u2019s own, the file\u2019s (which wins), else the default', async () => {
    const file = join(folder, 'targets.json');
    writeFileSync(file, JSON.stringify({ [SANDBOX_CONTOSO.toUpperCase()]: 6, [NURI]: 30 }));
    const running = await startApp({ WORKERS: 'off', PARTNER_RESPONSE_TARGETS_FILE: file });
    try {
      const createdAt = new Date(Date.now() - 3_600_000).toISOString();
      for (const [tenantId, name] of [[WINGTIP, 'Wingtip Toys'], [SANDBOX_CONTOSO, 'Contoso'], [NURI, '누리물류'], [NORTHWIND_SANDBOX, 'Northwind Traders']]) {
        await addEscalation(running.app.database, { id: `esc-${name}`, customer: { tenantId, name }, createdAt, steps: [] });
      }
      const res = await fetch(`${running.url}/api/escalations?limit=100`);
      const items = ((await res.json()) as { items: Row[] }).items;
      const hours = (id: string): number | undefined => {
        const clock = items.find((i) => i.id === id)?.clocks.find((c) => c.kind === 'partner');
        return clock ? (Date.parse(clock.dueAt) - Date.parse(clock.startedAt)) / 3_600_000 : undefined;
      };
      assert.deepEqual(
        ['esc-Wingtip Toys', 'esc-Contoso', 'esc-누리물류', 'esc-Northwind Traders'].map(hours),
        // Wingtip: the seed's 24 h; Contoso: the file's 6 h; 누리물류: the file's 30 h over the seed's 12 h; Northwind: 48 h.
        [24, 6, 30, 48],
      );
    } finally {
      await running.stop();
    }
  });
});
