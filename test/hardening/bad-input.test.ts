/**
 * Bad-input fuzzer: thousands of malformed or hostile activities and card actions posted to
 * the real service's /api/messages (local mode, SQLite in memory, replies to a connector
 * double). Every answer is < 500, nothing goes unhandled, the process stays healthy,
 * replays store nothing twice, and hostile text reaches no card un-neutralized (inert.ts).
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { VERBS } from '../../src/cards/verbs';
import type { EscalationStore } from '../../src/store/types';
import { execute, message, submit, PARTNER_TENANT, type ActivityOptions } from '../helpers/activities';
import { startApp, type RunningApp } from '../helpers/app';
import { cardTexts } from '../helpers/cards';
import { ConnectorDouble } from '../helpers/connector-double';
import { HOSTILE_SNIPPETS, inertProblems, type InertProblem } from './inert';
import { cardsOf, invokeCard, postJson, watchProcess, type Answer, type ProcessWatch } from './support';

const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];

/** A value as short JSON for a failure message. */
function show(value: unknown, max: number): string {
  return String(JSON.stringify(value)).slice(0, max);
}

/** Every stored escalation, all pages. */
async function countEscalations(store: EscalationStore): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 100, cursor });
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

/** Text a user could type: hostile snippets, arbitrary unicode with control characters, or both. */
const hostileText = (maxLength = 60): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...HOSTILE_SNIPPETS),
    fc.string({ unit: 'binary', maxLength }),
    fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE_SNIPPETS), fc.string({ unit: 'binary', maxLength: 10 })).map((p) => p.join(' ')),
  );

/** A JSON value that may carry prototype-pollution keys. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileText(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS, 'verb', 'escalationId', 'flowId', 'data'), fc.string({ maxLength: 8 })), tie('value'), {
      maxKeys: 5,
    }),
  ),
})).value;

describe('hardening: bad input to /api/messages', function () {
  this.timeout(120_000);
  let connector: ConnectorDouble;
  let app: RunningApp;
  let watch: ProcessWatch;
  let cases = 0;
  const statuses = new Map<number, number>();
  /** Flow ids whose describe was valid: each must have created exactly one escalation. */
  const validFlows = new Set<string>();

  const opts = (o: Partial<ActivityOptions> = {}): ActivityOptions => ({ serviceUrl: connector.url, ...o });
  const post = async (body: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    cases += 1;
    const answer = await postJson(`${app.url}/api/messages`, body, headers);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    return answer;
  };
  /** 5xx answers seen by a property that catalogues rather than stops at the first: signature → example. */
  const record5xx = (sink: Map<string, string>, signature: string, answer: Answer, what: unknown): void => {
    if (answer.status >= 500 && !sink.has(`${answer.status} ${signature}`)) sink.set(`${answer.status} ${signature}`, show(what, 300));
  };
  const assertNone = (sink: Map<string, string>): void => {
    const lines = [...sink].map(([k, v]) => `HTTP ${k} — e.g. ${v}`);
    assert.deepEqual(lines, [], `5xx answers:\n${lines.join('\n')}`);
  };
  const never5xx = (answer: Answer, what: unknown): void => {
    assert.ok(answer.status < 500, `HTTP ${answer.status} for ${show(what, 400)}: ${show(answer.body, 300)}`);
  };
  /** A serviceUrl that is not this machine's connector double is replaced, so no fuzzed case leaves 127.0.0.1. */
  const keepLocal = (activity: Record<string, unknown>): Record<string, unknown> => {
    const url = activity.serviceUrl;
    if (typeof url === 'string' && URL.canParse(url) && /^https?:/i.test(url) && new URL(url).hostname !== '127.0.0.1') {
      return { ...activity, serviceUrl: connector.url };
    }
    return activity;
  };

  before(async () => {
    watch = watchProcess();
    connector = await new ConnectorDouble().start();
    app = await startApp();
  });
  after(async () => {
    watch.uninstall();
    await app.stop();
    await connector.stop();
    console.log(`      bad-input: ${cases} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  it('malformed bodies, wrong types, missing fields and prototype keys get 400/401/200, never 5xx', async () => {
    const FIELDS = [
      'type', 'id', 'channelId', 'serviceUrl', 'conversation', 'conversation.id', 'conversation.tenantId', 'conversation.conversationType',
      // `name` of an invoke is the next test's subject.
      'from', 'from.id', 'from.name', 'from.aadObjectId', 'recipient', 'recipient.id', 'text', 'locale', 'entities', 'attachments',
      'value', 'channelData', 'channelData.tenant', 'channelData.tenant.id', 'replyToId', 'timestamp', 'textFormat', 'localTimestamp',
    ];
    const replacement: fc.Arbitrary<unknown> = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer(),
      fc.boolean(),
      fc.constant(''),
      fc.constant('x'.repeat(5000)),
      fc.array(hostileValue, { maxLength: 3 }),
      hostileValue,
    );
    const mutated = fc
      .tuple(fc.constantFrom('message', 'invoke'), fc.array(fc.tuple(fc.constantFrom(...FIELDS), replacement), { minLength: 1, maxLength: 3 }))
      .map(([kind, edits]) => ({ signature: `${kind}: ${edits.map(([p, v]) => `${p}=${v === undefined ? 'missing' : Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}`).join(', ')}`, body: (() => {
        const activity = JSON.parse(
          JSON.stringify(kind === 'message' ? message('help', opts()) : execute('help', {}, opts())),
        ) as Record<string, unknown>;
        for (const [path, value] of edits) {
          const keys = path.split('.');
          let target: Record<string, unknown> = activity;
          for (const k of keys.slice(0, -1)) {
            const next = target[k];
            if (typeof next !== 'object' || next === null || Array.isArray(next)) break;
            target = next as Record<string, unknown>;
          }
          const last = keys[keys.length - 1] ?? 'type';
          if (value === undefined) delete target[last];
          else target[last] = value;
        }
        return keepLocal(activity);
      })() }));
    // Raw JSON text: JSON.stringify drops a literal __proto__ key, so these are written by hand.
    const protoJson = fc.constantFrom(...PROTO_KEYS).map((key) => {
      const base = JSON.stringify(message('help', opts()));
      return `{"${key}":{"polluted":true,"type":"message","isAdmin":true},${base.slice(1, -1)},"value":{"${key}":{"polluted":true},"verb":"describe"},"channelData":{"${key}":{"tenant":{"id":"x"}}}}`;
    });
    const raw = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('', '{', '[]', 'null', 'true', '"message"', '{"type":"message",', '{"type":"message"}\u0000', '\uFEFF{}', '1e999', '{"a":' + '['.repeat(2000)),
      protoJson,
    );
    const body = fc.oneof(
      { weight: 5, arbitrary: mutated },
      { weight: 2, arbitrary: raw.map((b) => ({ signature: 'raw text', body: b })) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((b) => ({ signature: 'JSON value', body: b })) },
      { weight: 1, arbitrary: hostileValue.map((b) => ({ signature: 'hostile value', body: b })) },
    );
    const failures = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(body, async ({ signature, body: b }) => {
        record5xx(failures, signature, await post(b), b);
      }),
      { numRuns: 700 },
    );
    assertNone(failures);
    const probe: Record<string, unknown> = {};
    assert.equal(probe.polluted, undefined, 'Object.prototype is not polluted');
    assert.equal(probe.isAdmin, undefined, 'Object.prototype is not polluted');
  });

  it('huge bodies (up to ~1 MB text, deep nesting, many entities) are answered, never 5xx', async () => {
    const huge = fc.record({
      size: fc.integer({ min: 50_000, max: 1_000_000 }),
      where: fc.constantFrom('text', 'value', 'channelData', 'entities', 'attachments', 'name', 'from.name', 'nesting', 'over-limit'),
      snippet: fc.constantFrom(...HOSTILE_SNIPPETS),
    });
    await fc.assert(
      fc.asyncProperty(huge, async ({ size, where, snippet }) => {
        const filler = snippet.repeat(Math.ceil(size / snippet.length)).slice(0, size);
        const activity = message('help', opts());
        if (where === 'text') activity.text = filler;
        if (where === 'value') activity.value = { verb: 'describe', title: filler, description: filler };
        if (where === 'channelData') activity.channelData = { tenant: { id: PARTNER_TENANT }, blob: filler };
        if (where === 'entities') activity.entities = Array.from({ length: 64 }, () => ({ type: 'mention', text: filler.slice(0, 10_000) }));
        if (where === 'attachments') activity.attachments = [{ contentType: 'text/html', content: filler }];
        if (where === 'name') activity.name = filler;
        if (where === 'from.name') activity.from = { id: '29:big', name: filler };
        let body: unknown = activity;
        if (where === 'nesting') body = `${JSON.stringify(activity).slice(0, -1)},"value":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
        if (where === 'over-limit') body = { ...activity, text: 'x'.repeat(1_100_000) };
        const answer = await post(body);
        never5xx(answer, `${where} × ${size}`);
        if (where === 'over-limit') assert.equal(answer.status, 413);
      }),
      { numRuns: 24 },
    );
  });

  it('random values on messages and Action.Execute invokes with known and unknown verbs, never 5xx', async () => {
    const verb = fc.oneof(fc.constantFrom(...Object.values(VERBS)), hostileText(20), fc.integer(), fc.constant(null), fc.constantFrom(...PROTO_KEYS));
    const data = fc.dictionary(
      fc.oneof(
        fc.constantFrom('escalationId', 'flowId', 'customerTenantId', 'issueId', 'notSameReason', 'requestNumber', 'category', 'severity', 'title', 'description', 'action', 'notes'),
        fc.constantFrom(...PROTO_KEYS),
        fc.string({ maxLength: 10 }),
      ),
      hostileValue,
      { maxKeys: 8 },
    );
    const text = fc.oneof(
      fc.tuple(fc.constantFrom('help', 'escalate', 'resume', 'status', 'list', 'health', 'cancel', '/health', 'HEALTH'), hostileText()).map((t) => t.join(' ')),
      hostileText(200),
    );
    const turn = fc.oneof(
      fc.tuple(verb, data).map(([v, d]) => ({ kind: 'submit' as const, body: submit({ ...d, verb: v }, opts()) })),
      fc.tuple(hostileValue).map(([v]) => ({ kind: 'value' as const, body: { ...message('hi', opts()), value: v } })),
      fc.tuple(verb, data).map(([v, d]) => {
        const activity = execute('help', {}, opts());
        activity.value = { action: { type: 'Action.Execute', verb: v, data: d }, trigger: 'manual' };
        return { kind: 'execute' as const, body: activity };
      }),
      fc.tuple(hostileValue).map(([v]) => ({ kind: 'invokeValue' as const, body: { ...execute('help', {}, opts()), value: v } })),
      text.map((t) => ({ kind: 'text' as const, body: message(t, opts()) })),
      fc.tuple(verb, data, fc.uuid()).map(([v, d, id]) => ({
        kind: 'channel' as const,
        body: submit({ ...d, verb: v }, opts({ conversationType: 'channel', conversationId: `19:fuzz@thread.tacv2;messageid=${id}` })),
      })),
    );
    await fc.assert(
      fc.asyncProperty(turn, async ({ kind, body }) => {
        const answer = await post(body);
        never5xx(answer, body);
        if (kind === 'execute' || kind === 'invokeValue') assert.notEqual(answer.body, undefined, 'an invoke is always answered with a body');
      }),
      { numRuns: 900 },
    );
  });

  it('unknown invoke names and activity types get an answer below 500', async () => {
    const KNOWN_NAMES = [
        'composeExtension/query', 'composeExtension/submitAction', 'composeExtension/fetchTask', 'task/fetch', 'task/submit',
        'signin/verifyState', 'signin/tokenExchange', 'fileConsent/invoke', 'actionableMessage/executeAction', 'config/fetch',
        'tab/fetch', 'message/submitAction', 'handoff/action', 'adaptiveCard/action', 'healthCheck', 'application/search',
    ];
    const name = fc.oneof(fc.constantFrom(...KNOWN_NAMES), fc.string({ maxLength: 30 }));
    const type = fc.oneof(
      fc.constantFrom('messageReaction', 'conversationUpdate', 'installationUpdate', 'event', 'typing', 'endOfConversation', 'messageUpdate', 'messageDelete', 'trace', 'handoff', 'command'),
      fc.string({ minLength: 1, maxLength: 20 }),
    );
    const activity = fc.oneof(
      fc.tuple(name, hostileValue).map(([n, v]): Record<string, unknown> => ({ ...execute('help', {}, opts()), name: n, value: v })),
      fc.tuple(type, hostileValue).map(([t, v]): Record<string, unknown> => ({ ...message('help', opts()), type: t, value: v, action: 'add' })),
    );
    const failures = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(activity, async (a) => {
        const answer = await post(a);
        const kind = typeof a.name === 'string' && KNOWN_NAMES.includes(a.name) ? a.name : a.type === 'invoke' ? '(random name)' : '-';
        record5xx(failures, `type=${a.type === 'invoke' ? 'invoke' : '(other)'} name=${kind}`, answer, { type: a.type, name: a.name, value: a.value });
      }),
      { numRuns: 250 },
    );
    assertNone(failures);
  });

  it('valid describes replayed many times (concurrently, by invoke and by submit) store one escalation each; confirms move once', async () => {
    const before = await countEscalations(app.app.database.escalations);
    const engineer = { id: '29:replayer', aadObjectId: 'aaaaaaaa-0000-4000-8000-00000000abcd', name: 'Replayer' };
    const today = new Date().toISOString().slice(0, 10);
    const scenario = fc.record({
      flowId: fc.uuid(),
      title: hostileText(40),
      copies: fc.integer({ min: 1, max: 3 }),
      replays: fc.array(fc.constantFrom('invoke', 'submit'), { minLength: 1, maxLength: 3 }),
      confirms: fc.integer({ min: 1, max: 4 }),
      broken: fc.constantFrom('title', 'sinceDate', 'usersAffected', 'customerTenantId', 'flowId', 'service'),
    });
    let flows = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const o = opts({ from: engineer, conversationId: `a:replay-${s.flowId}` });
        const data = {
          flowId: s.flowId,
          customerTenantId: CONTOSO,
          service: 'Exchange Online',
          title: `Users cannot send mail ${s.title}`.slice(0, 200),
          description: `Outbound mail is delayed and stuck in the queue ${s.title}`,
          sinceDate: today,
          sinceTime: '00:00',
          usersAffected: '12',
        };
        // The same card sent several times at once, then again by both routes.
        const first = await Promise.all(Array.from({ length: s.copies }, () => post(execute('describe', data, o))));
        for (const a of first) never5xx(a, data);
        for (const route of s.replays) {
          never5xx(await post(route === 'invoke' ? execute('describe', data, o) : submit({ verb: 'describe', ...data }, o)), data);
        }
        // A broken copy with a fresh flow id must create nothing.
        const broken: Record<string, unknown> = { ...data, flowId: randomUUID() };
        broken[s.broken] = s.broken === 'flowId' ? 'short' : s.broken === 'usersAffected' ? '-3' : s.broken === 'sinceDate' ? '2999-01-01' : s.broken === 'customerTenantId' ? '00000000-0000-4000-8000-000000000000' : s.broken === 'service' ? 'Not A Service' : '   ';
        never5xx(await post(execute('describe', broken, o)), broken);

        validFlows.add(s.flowId);
        flows += 1;
        const card = first.map((a) => invokeCard(a.body)).find((c) => c !== undefined);
        assert.ok(card, `describe answered a card: ${show(first[0]?.body, 300)}`);
        const id = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(JSON.stringify(card))?.[1];
        const issueId = /"issueId":"([^"]+)"/.exec(JSON.stringify(card))?.[1];
        assert.ok(id, `the describe card names the escalation: ${show(cardTexts(card), 600)}`);
        // A matching incident is offered (confirm it) or not (the flow went to triage: decide "none").
        const [verb, step, expected] = issueId
          ? (['knownConfirm', { escalationId: id, issueId }, ['draft', 'known_issue']] as const)
          : (['triage', { escalationId: id, category: 'none' }, ['draft', 'triage', 'not_warranted']] as const);
        if (!issueId) never5xx(await post(execute('troubleshootSkip', { escalationId: id }, o)), 'troubleshootSkip');
        const confirms = await Promise.all(Array.from({ length: s.confirms }, () => post(execute(verb, step, o))));
        for (const a of confirms) never5xx(a, verb);
        never5xx(await post(submit({ verb, ...step }, o)), `${verb} submit`);
        const audit = await app.app.database.escalations.audit(id);
        assert.deepEqual(audit.map((e) => e.to), expected, `one transition per state for ${id}`);
      }),
      { numRuns: 70 },
    );
    const afterCount = await countEscalations(app.app.database.escalations);
    assert.equal(afterCount - before, flows, 'one escalation per distinct valid flow, none for broken copies or replays');
  });

  it('hostile text in titles, descriptions, reasons, names, impact, contact and searches reaches every card inert', async () => {
    const problems: { input: string; step: string; problem: InertProblem }[] = [];
    const today = new Date().toISOString().slice(0, 10);
    const hostile = fc.record({
      title: hostileText(60),
      description: hostileText(200),
      name: hostileText(40),
      reason: hostileText(100),
      impact: hostileText(100),
      contact: hostileText(60),
      search: hostileText(60),
      regions: hostileText(40),
    });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (h) => {
        runs += 1;
        const flowId = randomUUID();
        const conversationId = `a:inert-${flowId}`;
        const o = opts({ conversationId, from: { id: `29:${flowId}`, aadObjectId: randomUUID(), name: `Eve ${h.name}` } });
        const fragments = Object.values(h);
        const seen: { step: string; card: unknown }[] = [];
        const act = async (step: string, verb: string, data: Record<string, unknown>): Promise<Record<string, unknown> | undefined> => {
          const answer = await post(execute(verb, data, o));
          never5xx(answer, { verb, data });
          const card = invokeCard(answer.body);
          if (card) seen.push({ step, card });
          return card;
        };
        const describe = {
          flowId,
          customerTenantId: CONTOSO,
          service: 'Exchange Online',
          title: `Mail stuck ${h.title}`.slice(0, 200),
          description: `Outbound mail delayed ${h.description}`,
          sinceDate: today,
          sinceTime: '00:00',
          usersAffected: '5',
          regions: h.regions,
        };
        // An invalid submission echoes the values back into the describe card.
        await act('describe (invalid, echoed)', 'describe', { ...describe, usersAffected: 'many', flowId: randomUUID() });
        const match = await act('describe → match card', 'describe', { ...describe, regions: '' });
        const id = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(JSON.stringify(match))?.[1];
        if (id) {
          await act('status (draft)', 'status', { escalationId: id });
          await act('knownDiffers → troubleshoot card', 'knownDiffers', { escalationId: id, notSameReason: `Not it ${h.reason}` });
          await act('troubleshoot (partial, notes)', 'troubleshoot', { escalationId: id, notes: h.reason, check_licences: 'true' });
          await act('troubleshootSkip → triage card', 'troubleshootSkip', { escalationId: id });
          await act('triage (invalid, echoed)', 'triage', { escalationId: id, category: 'bug', businessImpact: h.impact, contact: '' });
          await act('triage → handoff card', 'triage', {
            escalationId: id,
            category: 'service_unavailable',
            severity: 'critical',
            businessImpact: `Impact ${h.impact}`,
            contact: `Jo ${h.contact}`.slice(0, 200),
          });
          await act('handoffLink (invalid number)', 'handoffLink', { escalationId: id, requestNumber: h.search });
          await act('status → escalation card', 'status', { escalationId: id });
          await act('list → list card', 'list', {});
        }
        for (const text of [`health ${h.search}`, `health Contoso ${h.search}`, `status ${h.search}`]) {
          never5xx(await post(message(text, o)), text);
        }
        const messages = connector.calls.filter((c) => c.conversationId === conversationId).map((c) => c.activity);
        for (const m of messages) {
          seen.push({ step: 'message sent', card: { type: 'message', text: m.text } });
          for (const card of cardsOf(m)) seen.push({ step: `card sent: ${cardTexts(card)[0] ?? '?'}`, card });
        }
        assert.ok(seen.length >= 3, 'the bot answered');
        for (const { step, card } of seen) {
          for (const problem of inertProblems(card, fragments)) problems.push({ input: JSON.stringify(h), step, problem });
        }
      }),
      { numRuns: 30, examples: [[{ title: HOSTILE_SNIPPETS[0] ?? '', description: HOSTILE_SNIPPETS[1] ?? '', name: HOSTILE_SNIPPETS[0] ?? '', reason: HOSTILE_SNIPPETS[0] ?? '', impact: HOSTILE_SNIPPETS[4] ?? '', contact: HOSTILE_SNIPPETS[0] ?? '', search: HOSTILE_SNIPPETS[0] ?? '', regions: 'West Europe' }]] },
    );
    assert.ok(runs > 0);
    // One line per distinct (step, field, rule), with one example input: the defect list.
    const distinct = new Map<string, string>();
    for (const p of problems) {
      const key = `${p.step} | ${p.problem.path.replace(/\[\d+\]/g, '[]')} | ${p.problem.rule}`;
      if (!distinct.has(key)) distinct.set(key, `${key} | value: ${JSON.stringify(p.problem.value)}`);
    }
    assert.deepEqual([...distinct.values()], [], `hostile user text rendered live:\n${[...distinct.values()].join('\n')}`);
  });

  it('after the run: /healthz answers 200, nothing went unhandled, stored escalations match the valid flows', async () => {
    const health = await fetch(`${app.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
    watch.assertQuiet();
    // Every valid flow has exactly one row (the inert suite's own flows add theirs).
    for (const flowId of validFlows) {
      const { escalationIdFor } = await import('../../src/domain/escalation-id');
      assert.ok(await app.app.database.escalations.get(escalationIdFor(flowId)), `escalation of flow ${flowId} stored`);
    }
    assert.ok(cases >= 1500, `at least 1,500 cases ran (${cases})`);
  });
});
