/**
 * The describe card's customer typeahead for a partner with thousands of customers:
 *
 * 1. From the directory's cache, in process: `find(query, {skip, top: 15})` over 5,000 and
 *    50,000 customers for the queries a person types (one letter, a fragment, a full name, a
 *    domain, a tenant id, Korean, no match), against what the card used to do on every render
 *    (sort the whole list and take the first 100), measured in the same run.
 * 2. Over HTTP, the real service (sandbox seeded with 5,000 customers, SQLite temp file, logs
 *    off): the `application/search` invoke a keystroke sends, against the `escalate` invoke
 *    that answers with the describe card itself, interleaved.
 *
 *   node dist/bench/customer-search.js
 *
 * Talks to 127.0.0.1 only; bounded loops; prints and exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { byCompanyName, type Customer } from '../src/directory';
import { CustomerIndex } from '../src/directory/search';
import { execute, search } from '../test/helpers/activities';
import { HANBIT, ZETA, generatedCustomers, writeManyCustomersSeed } from '../test/helpers/many-customers';
import { BotClient, percentile, sorted } from './support/common';

const QUERIES: readonly [string, string][] = [
  ['nothing typed yet', ''],
  ['one letter', 'a'],
  ['a fragment', 'woo'],
  ['a full name', 'Woodgrove Bank 0042'],
  ['beyond the first page', 'zeta'],
  ['a domain', 'zetalogistics.onmicrosoft'],
  ['a tenant id', ZETA.tenantId],
  ['Korean', '한빛소프트'],
  ['no match', 'qqqqqq'],
];
const ROUNDS = 400;

function timeUs(fn: () => unknown, rounds: number): { median: number; p99: number } {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const started = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e3);
  }
  const s = sorted(samples);
  return { median: percentile(s, 50), p99: percentile(s, 99) };
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

function directoryPart(count: number): void {
  const list: readonly Customer[] = generatedCustomers(count);
  // What both directories keep with their cached list.
  const index = new CustomerIndex([...list].sort(byCompanyName));
  // What the describe card did on every render before: sort everyone, keep the first 100.
  const before = timeUs(() => [...list].sort(byCompanyName).slice(0, 100), Math.max(20, Math.floor(ROUNDS / 10)));
  console.log(`\n${count.toLocaleString('en')} customers (directory cache, µs per call; the old card: sort all and take 100: median ${fmt(before.median)}, p99 ${fmt(before.p99)})`);
  console.log('| query | matches | median | p99 | median / old card |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, query] of QUERIES) {
    const { total } = index.find(query, { skip: 0, top: 15 });
    const t = timeUs(() => index.find(query, { skip: 0, top: 15 }), ROUNDS);
    console.log(`| ${label} | ${total.toLocaleString('en')} | ${fmt(t.median)} | ${fmt(t.p99)} | ${(t.median / before.median).toFixed(2)} |`);
  }
  const paged = timeUs(() => index.find('a', { skip: 1_500, top: 15 }), ROUNDS);
  console.log(`| "a", page at skip 1,500 | | ${fmt(paged.median)} | ${fmt(paged.p99)} | ${(paged.median / before.median).toFixed(2)} |`);
}

async function httpPart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ed-bench-search-'));
  const seed = writeManyCustomersSeed(dir, 5_000);
  const config = loadConfig({
    env: { DATABASE_URL: `sqlite:${join(dir, 'desk.db')}`, SANDBOX_HEALTH_FILE: seed.path, WORKERS: 'off', LOG_LEVEL: 'silent' },
    dotenvPath: null,
  });
  const app = await createApp(config, pino({ level: 'silent' }));
  const address = await app.server.listen(0, '127.0.0.1');
  const client = new BotClient(`http://127.0.0.1:${address.port}`);
  const serviceUrl = 'http://127.0.0.1:9/';
  try {
    const keystrokes = ['w', 'wo', 'woo', 'wood', 'zeta', '한빛', HANBIT.domain, 'qq'];
    const searchMs: number[] = [];
    const cardMs: number[] = [];
    let cardBytes = 0;
    for (let round = -50; round < ROUNDS; round += 1) {
      const typed = keystrokes[(round + 50) % keystrokes.length] ?? 'w';
      const s = await client.post('/api/messages', search('customers', typed, { serviceUrl }, { skip: 0, top: 15 }));
      const c = await client.post('/api/messages', execute('escalate', {}, { serviceUrl }));
      if (s.status !== 200 || !s.text.includes('searchResponse')) throw new Error(`search answered ${s.status}: ${s.text.slice(0, 200)}`);
      if (c.status !== 200) throw new Error(`escalate answered ${c.status}`);
      if (round < 0) continue; // warm-up
      searchMs.push(s.ms);
      cardMs.push(c.ms);
      cardBytes = Buffer.byteLength(JSON.stringify((JSON.parse(c.text) as { value: unknown }).value));
    }
    const s = sorted(searchMs);
    const c = sorted(cardMs);
    console.log(`\nOver HTTP, 5,000 customers (ms client-side, ${ROUNDS} each, interleaved; describe card ${cardBytes.toLocaleString('en')} bytes)`);
    console.log('| invoke | median | p99 |');
    console.log('|---|---:|---:|');
    console.log(`| application/search (a keystroke) | ${percentile(s, 50).toFixed(2)} | ${percentile(s, 99).toFixed(2)} |`);
    console.log(`| adaptiveCard/action escalate (the describe card) | ${percentile(c, 50).toFixed(2)} | ${percentile(c, 99).toFixed(2)} |`);
    console.log(`| ratio search / card | ${(percentile(s, 50) / percentile(c, 50)).toFixed(2)} | ${(percentile(s, 99) / percentile(c, 99)).toFixed(2)} |`);
  } finally {
    client.close();
    await app.close(1_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`customer typeahead bench: Node ${process.version}`);
  directoryPart(5_000);
  directoryPart(50_000);
  await httpPart();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
