/**
 * Delivers the outbox: claims due notifications with a lease, sends each through the
 * `ProactiveSender` within Teams' rate limits, and records the outcome.
 *
 * Exactly-once, as far as the channel allows:
 * - a notification is enqueued in the transaction that changed the escalation, with a unique
 *   dedupe key, so it exists once;
 * - a claim leases it (owner + expiry); right before its request leaves it is marked `sending`
 *   and the attempt counted, so `attempts` is the number of requests sent and a claim that
 *   dies before sending leaves a row that is certainly not delivered (`pending`);
 * - its id is the idempotency key of the send, stamped into the activity's channelData;
 * - the sent activity id is recorded (`markSent`, fenced by the lease owner) before the
 *   notification is considered done;
 * - a notification found still `sending` after its lease expired (the worker died between
 *   send and record) is `reclaimed`: before sending again the worker asks the sender whether
 *   an activity with that key already arrived, and records it instead of resending when it did.
 *   When the channel cannot tell (`unknown`: real Teams has no lookup), `ambiguousResend`
 *   decides: resend (default; a possible duplicate beats a lost "resolved" notice) or give up.
 *   A send that timed out (the connector took the request and never answered) is decided the
 *   same way at once;
 * - retries are this worker's alone: every send is one HTTP request (the connector clients and
 *   the edge's reply retry do not retry proactive sends). A refusal (429, 412, 5xx) is a known
 *   non-delivery: the row goes back to `pending` with its next attempt no sooner than
 *   Retry-After, durably, before any waiting, so a restart resends it whatever
 *   `ambiguousResend` says.
 *
 * One conversation's slowness never delays another's: the loop works one lane per
 * conversation, at most `concurrency` at a time, and claims more work whenever a lane is free
 * (never waiting for a whole batch); rows of a conversation still being sent to are left
 * unclaimed until its lane ends, so their order holds and their leases do not run out behind it.
 *
 * (Over 300 lines on purpose: the delivery protocol above — claim, mark sending, send, record,
 * reschedule — is one state machine, and split across files its exactly-once argument could no
 * longer be read in one place.)
 */
import { LoopRunner } from './loop-runner';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { backoffDelay } from '../http/backoff';
import type { ClaimedNotification, ConversationRecord, ConversationStore, OutboxStore, SenderRoster } from '../store/queues';
import { SendMargin } from '../limits/send-margin';
import { evenSpacing, SlidingWindowLimiter, type RateWindow } from '../limits/sliding-window';
import { TEAMS_CONVERSATION_WINDOWS, TEAMS_TENANT_WINDOWS } from './teams-limits';
import { withMention } from './mention';
import { readPayload, type ProactiveSender, type SendResult } from './types';

/** Groups claimed notifications by conversation, each group in claim (enqueue) order. */
function lanesOf(claimed: readonly ClaimedNotification[]): Map<string, ClaimedNotification[]> {
  const lanes = new Map<string, ClaimedNotification[]>();
  for (const n of claimed) lanes.set(n.target, [...(lanes.get(n.target) ?? []), n]);
  return lanes;
}

/** Dependencies and settings of the outbox worker. */
export interface OutboxWorkerOptions {
  readonly outbox: OutboxStore;
  readonly conversations: ConversationStore;
  readonly sender: ProactiveSender;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lease owner name; unique per process (default: a random id). */
  readonly owner?: string;
  /** Notifications claimed per round (default 50). */
  readonly batchSize?: number;
  /** How long a claim is held (default 60 s); a quarter of it must cover one send (the connector deadline). */
  readonly leaseMs?: number;
  /** Conversations worked at once (default 16); notifications to one conversation go one by one, in order. */
  readonly concurrency?: number;
  /** Claims per notification before it is given up (default 8). */
  readonly maxAttempts?: number;
  /** First retry backoff (default 2 s), doubled per attempt up to `maxBackoffMs` (default 5 min), with jitter. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Pause between rounds when the outbox is empty (default 1 s). */
  readonly idleMs?: number;
  /** On a reclaimed notification whose delivery the channel cannot confirm: resend (default) or give up. */
  readonly ambiguousResend?: boolean;
  /** Per-conversation and per-tenant windows (default: Teams' limits). */
  readonly conversationWindows?: readonly RateWindow[];
  readonly tenantWindows?: readonly RateWindow[];
  /** This instance's share of the limits when several instances send (default 1; with a `roster`, where it starts). */
  readonly limitShare?: number;
  /**
   * The senders of every instance on this database: the worker beats there and holds 1 / (live
   * senders) of Teams' limits, so instances added or killed change every instance's share
   * within a beat (and the time to live, for one killed). Without it, `limitShare` stays.
   */
  readonly roster?: SenderRoster;
  /** How often the worker beats in the roster (default 1 s: an instance that joins is counted by the others within it). */
  readonly rosterBeatMs?: number;
  /** A sender silent this long no longer counts (default 5 s: a killed instance's share is taken over after it). */
  readonly rosterTtlMs?: number;
  /**
   * Added to every window (default 0: the windows are held on the times sends were answered, the
   * latest they can have arrived). A 429 raises it for a while (`limits/send-margin.ts`).
   */
  readonly limitMarginMs?: number;
  /** Waits; tests pass a fast one. Must honour the signal. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /**
   * Test seams: run after the claim (row leased, still `pending`) and after a successful send,
   * before it is recorded. A throw there propagates out of `runOnce` untouched, like a process dying.
   */
  readonly hooks?: {
    readonly afterClaim?: (n: ClaimedNotification) => void | Promise<void>;
    readonly afterSend?: (n: ClaimedNotification, activityId: string) => void | Promise<void>;
  };
}

/** What one round did. */
export interface OutboxRound {
  readonly claimed: number;
  readonly sent: number;
  readonly retried: number;
  readonly dead: number;
}

/** Counters since start, for logs and the bench. */
export interface OutboxStats {
  sent: number;
  retried: number;
  dead: number;
  throttled: number;
  recoveredByLookup: number;
}

type Outcome = 'sent' | 'retried' | 'dead';

/** Planned slots spaced evenly, per conversation and per tenant (no margin: it paces, Teams' windows are held apart). */
interface Pacing {
  readonly conversation: SlidingWindowLimiter;
  readonly tenant: SlidingWindowLimiter;
}

/** Pacing at each limit's tightest rate for `share` of the limits. */
function pacing(conversationWindows: readonly RateWindow[], tenantWindows: readonly RateWindow[], share: number): Pacing {
  return {
    conversation: new SlidingWindowLimiter([evenSpacing(conversationWindows, share)]),
    tenant: new SlidingWindowLimiter([evenSpacing(tenantWindows, share)]),
  };
}

/** The outbox delivery loop. */
export class OutboxWorker {
  readonly owner: string;
  readonly stats: OutboxStats = { sent: 0, retried: 0, dead: 0, throttled: 0, recoveredByLookup: 0 };
  private readonly perConversation: SlidingWindowLimiter;
  private readonly perTenant: SlidingWindowLimiter;
  /**
   * The same windows on the times sends actually left, and once answered on the times they were
   * answered (`answered`): a lane that wakes late (a busy event loop, a slow `markSending`) or
   * follows a slow send waits here until its send fits, so neither can crowd Teams' windows.
   */
  private readonly leftPerConversation: SlidingWindowLimiter;
  private readonly leftPerTenant: SlidingWindowLimiter;
  /** Planned slots spaced evenly at each limit's tightest rate, instead of bursts (rebuilt when the share changes). */
  private spaced: Pacing;
  private readonly conversationWindows: readonly RateWindow[];
  private readonly tenantWindows: readonly RateWindow[];
  /** This instance's share of Teams' limits now. */
  private share: number;
  /** When the worker last beat in the roster (ms). */
  private beatAt = Number.NEGATIVE_INFINITY;
  /** A worker joining a roster where others send starts only once they have counted it: one beat after its first. */
  private sendsFrom = 0;
  /** The last beat failed (said once in the log, not every second of an outage). */
  private beatFailing = false;
  private readonly margin: SendMargin;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly runner = new LoopRunner();

  constructor(private readonly options: OutboxWorkerOptions) {
    this.owner = options.owner ?? `outbox-${randomUUID()}`;
    const share = options.limitShare ?? 1;
    this.share = share;
    this.margin = new SendMargin({ baseMs: options.limitMarginMs ?? 0 });
    const margin = this.margin.ms;
    const conversationWindows = options.conversationWindows ?? TEAMS_CONVERSATION_WINDOWS;
    const tenantWindows = options.tenantWindows ?? TEAMS_TENANT_WINDOWS;
    this.conversationWindows = conversationWindows;
    this.tenantWindows = tenantWindows;
    this.perConversation = new SlidingWindowLimiter(conversationWindows, share, margin);
    this.perTenant = new SlidingWindowLimiter(tenantWindows, share, margin);
    this.leftPerConversation = new SlidingWindowLimiter(conversationWindows, share, margin);
    this.leftPerTenant = new SlidingWindowLimiter(tenantWindows, share, margin);
    this.spaced = pacing(conversationWindows, tenantWindows, share);
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
    this.random = options.random ?? Math.random;
  }

  /** The margin the windows are held wider by now (ms). */
  get limitMarginMs(): number {
    return this.margin.ms;
  }

  /** Starts the loop; resolves at once. Call `stop()` to end it. */
  start(): void {
    // Every lane waits on this one signal; the default cap of 10 listeners would warn.
    this.runner.start(
      (signal) => this.loop(signal),
      (signal) => setMaxListeners(this.concurrency + 10, signal),
    );
  }

  /** Stops claiming, waits for the lanes in progress to finish, and resolves. */
  async stop(): Promise<void> {
    await this.runner.stop();
    // The other instances take this one's share at their next beat rather than after its time to live.
    await this.options.roster?.retireSender(this.owner).catch((error: unknown) => {
      this.options.logger.warn({ err: error instanceof Error ? error.name : 'unknown', owner: this.owner }, 'could not leave the sender roster');
    });
  }

  /** This instance's share of Teams' limits now (1 alone; 1/n of n live senders). */
  get limitShare(): number {
    return this.share;
  }

  /** One round: claim a batch and work it to the end. Exposed for tests and the bench. */
  async runOnce(signal: AbortSignal = new AbortController().signal): Promise<OutboxRound> {
    const { outbox, clock } = this.options;
    // Every lane may wait on this one signal; the default cap of 10 listeners would warn.
    setMaxListeners(this.concurrency + 10, signal);
    // A round run by hand takes its share but does not wait to be counted (the loop does).
    await this.beat();
    const claimed = await outbox.claimDue(this.owner, clock.now(), this.options.batchSize ?? 50, this.leaseMs);
    if (claimed.length === 0) return { claimed: 0, sent: 0, retried: 0, dead: 0 };
    const counts = { sent: 0, retried: 0, dead: 0 };
    const queue = [...lanesOf(claimed).values()];
    const workers = Array.from({ length: Math.min(queue.length, this.concurrency) }, async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) await this.work(lane, signal, counts);
    });
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    this.sweep();
    return { claimed: claimed.length, ...counts };
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 16);
  }

  private get beatMs(): number {
    return this.options.rosterBeatMs ?? 1_000;
  }

  /**
   * Keeps up to `concurrency` conversation lanes busy: claims for free lanes (leaving out the
   * conversations still being worked), starts a lane per conversation, and claims again as soon
   * as one ends or, when nothing was due, after `idleMs`.
   */
  private async loop(signal: AbortSignal): Promise<void> {
    const { logger } = this.options;
    const lanes = new Map<string, Promise<void>>();
    const counts = { sent: 0, retried: 0, dead: 0 };
    // Wakes the pause below when a lane ends or the worker stops; `laneEnded` covers a lane
    // that ended while the claim was running, before there was a pause to wake.
    let wake: AbortController | undefined;
    let laneEnded = false;
    const onStop = (): void => wake?.abort();
    signal.addEventListener('abort', onStop, { once: true });
    while (!signal.aborted) {
      laneEnded = false;
      await this.joined(signal);
      const room = this.concurrency - lanes.size;
      let claimed: ClaimedNotification[] = [];
      if (room > 0) {
        try {
          claimed = await this.options.outbox.claimDue(this.owner, this.options.clock.now(), Math.min(this.options.batchSize ?? 50, room), this.leaseMs, {
            excludeTargets: [...lanes.keys()],
          });
        } catch (error) {
          // A database hiccup must not end the loop; the leases make the work resumable.
          logger.error({ err: error instanceof Error ? error.name : 'unknown', owner: this.owner }, 'outbox claim failed');
        }
      }
      for (const [target, lane] of lanesOf(claimed)) {
        const running = this.work(lane, signal, counts)
          .catch((error: unknown) => {
            logger.error({ err: error instanceof Error ? error.name : 'unknown', owner: this.owner }, 'outbox lane failed');
          })
          .finally(() => {
            lanes.delete(target);
            laneEnded = true;
            wake?.abort();
          });
        lanes.set(target, running);
      }
      this.sweep();
      const full = lanes.size >= this.concurrency;
      if ((claimed.length === 0 || full) && !laneEnded && !signal.aborted) {
        // Full: until a lane ends (the lease is only a backstop). Idle: until something may be due.
        // With a roster, never longer than a beat: lanes waiting out long limits must not make
        // this instance look dead to the others (they would take its share while it sends).
        wake = new AbortController();
        const rest = full ? this.leaseMs : (this.options.idleMs ?? 1_000);
        await this.sleep(this.options.roster ? Math.min(rest, this.beatMs) : rest, wake.signal);
        wake = undefined;
      }
    }
    signal.removeEventListener('abort', onStop);
    await Promise.allSettled(lanes.values());
  }

  /** Delivers one conversation's notifications in order. */
  private async work(lane: readonly ClaimedNotification[], signal: AbortSignal, counts: Record<Outcome, number>): Promise<void> {
    for (const n of lane) counts[await this.deliver(n, signal)]++;
  }

  private sweep(): void {
    const now = this.options.clock.now().getTime();
    for (const limiter of [this.perConversation, this.perTenant, this.leftPerConversation, this.leftPerTenant, this.spaced.conversation, this.spaced.tenant]) limiter.sweep(now);
  }

  private async deliver(n: ClaimedNotification, signal: AbortSignal): Promise<Outcome> {
    const { conversations, sender, logger } = this.options;
    await this.options.hooks?.afterClaim?.(n);
    const payload = readPayload(n.payload);
    if (!payload) return this.dead(n, 'malformed_payload');
    const target = await conversations.get(n.target);
    if (!target) return this.dead(n, 'no_conversation');
    if (target.unreachable) return this.dead(n, `unreachable:${target.unreachable.reason}`);

    if (n.reclaimed && !payload.updateActivityId) {
      const found = await sender.lookup(target, n.id);
      if (found.found === true) {
        this.stats.recoveredByLookup++;
        return this.sent(n, found.activityId);
      }
      if (found.found === 'unknown' && this.options.ambiguousResend === false) return this.dead(n, 'ambiguous_delivery');
      if (found.found === 'unknown') logger.warn({ notification: n.id, owner: this.owner }, 'resending a notification whose earlier send may have arrived');
    }

    // Reserve a slot in both limits before waiting for it: lanes waiting concurrently must not
    // all wake for the same free slot. Beyond the lease, put it back (nothing was sent).
    const now = this.options.clock.now().getTime();
    const slot = Math.max(
      this.perConversation.earliest(target.key, now),
      this.perTenant.earliest(target.tenantId, now),
      this.spaced.conversation.earliest(target.key, now),
      this.spaced.tenant.earliest(target.tenantId, now),
    );
    // A quarter of the lease stays for the send itself.
    const leaseLeft = Date.parse(n.leaseExpiresAt ?? '') - now - this.leaseMs / 4;
    if (!(slot - now <= leaseLeft)) {
      return this.retry(n, { nextAttemptAt: new Date(slot), error: 'rate_limited' });
    }
    this.perConversation.record(target.key, slot);
    this.perTenant.record(target.tenantId, slot);
    this.spaced.conversation.record(target.key, slot);
    this.spaced.tenant.record(target.tenantId, slot);
    if (slot > now) await this.sleep(slot - now, signal);
    if (signal.aborted) {
      return this.retry(n, { nextAttemptAt: this.options.clock.now(), error: 'stopped' });
    }

    // From here the message may arrive: recorded (and the attempt counted) before the request
    // leaves, so a crash before this point is a certain non-delivery, resent without doubt.
    if (!(await this.options.outbox.markSending(n.id, this.owner, this.options.clock.now()))) {
      logger.warn({ notification: n.id, owner: this.owner }, 'lease lost before the send; not sent');
      return 'retried';
    }
    const left = await this.leave(target, signal);
    const attempts = n.attempts + 1;
    let result: SendResult;
    try {
      result = payload.updateActivityId
        ? await sender.update(target, payload.updateActivityId, payload.activity)
        : await sender.send(target, withMention(payload, target), n.id);
    } catch (error) {
      // A sender is supposed to map every failure; an unexpected throw is treated as transient.
      logger.warn({ notification: n.id, err: error instanceof Error ? error.name : 'unknown' }, 'proactive sender threw');
      result = { ok: false, kind: 'retry' };
    } finally {
      this.answered(target, left);
    }
    if (result.ok) this.setMargin(this.margin.accepted());

    if (result.ok) {
      await this.options.hooks?.afterSend?.(n, result.activityId);
      return this.sent(n, result.activityId);
    }
    if (result.kind === 'unreachable') {
      await conversations.markUnreachable(target.key, result.code, this.options.clock.now());
      logger.info({ notification: n.id, code: result.code }, 'conversation unreachable; stopped sending there');
      return this.dead(n, `unreachable:${result.code}`);
    }
    if (result.kind === 'permanent') return this.dead(n, `http_${result.status ?? 'error'}${result.code ? `:${result.code}` : ''}`);
    if (result.kind === 'ambiguous') {
      // The connector took the request and never answered: it may have arrived. An update can be
      // repeated harmlessly; a new message follows the same rule as a reclaimed send.
      if (!payload.updateActivityId && this.options.ambiguousResend === false) return this.dead(n, `ambiguous_delivery:${result.code}`);
      logger.warn({ notification: n.id, code: result.code }, 'a send got no answer in time; it may have arrived; trying again later');
      if (attempts >= (this.options.maxAttempts ?? 8)) return this.dead(n, `gave_up:${result.code}`);
      return this.retry(n, { nextAttemptAt: new Date(this.options.clock.now().getTime() + this.backoff(attempts)), error: result.code });
    }

    if (result.status === 429) {
      this.stats.throttled++;
      this.setMargin(this.margin.throttled());
      // Without Retry-After, back off the conversation for a second window's worth.
      const until = this.options.clock.now().getTime() + (result.retryAfterMs ?? 2_000);
      this.perConversation.block(target.key, until);
    }
    if (attempts >= (this.options.maxAttempts ?? 8)) return this.dead(n, `gave_up:http_${result.status ?? 'network'}`);
    // Refused (429, 412, 5xx): a known non-delivery, put back as pending before any waiting, so a
    // restart sends it again whatever OUTBOX_AMBIGUOUS_RESEND says. Never before Retry-After.
    return this.retry(n, {
      nextAttemptAt: new Date(this.options.clock.now().getTime() + this.backoff(attempts, result.retryAfterMs)),
      error: `http_${result.status ?? 'network'}`,
    });
  }

  /**
   * Records the send as leaving now, or waits first until it fits the windows of what actually
   * left (a planned slot may have come late); returns when it left. No await between the check
   * and the record, so two lanes cannot take the same opening.
   */
  private async leave(target: ConversationRecord, signal: AbortSignal): Promise<number> {
    const now = this.options.clock.now().getTime();
    const at = Math.max(this.leftPerConversation.earliest(target.key, now), this.leftPerTenant.earliest(target.tenantId, now));
    this.leftPerConversation.record(target.key, at);
    this.leftPerTenant.record(target.tenantId, at);
    if (at > now) await this.sleep(at - now, signal);
    return at;
  }

  /**
   * The send that left at `left` was answered now: it arrived at Teams at the latest now, so
   * that is when it counts in the windows of what left. Teams counts a send when it arrives; a
   * send held one window after the answer of the send it follows cannot arrive inside that
   * window however the network delayed either, which no fixed margin could promise.
   */
  private answered(target: ConversationRecord, left: number): void {
    const now = this.options.clock.now().getTime();
    this.leftPerConversation.move(target.key, left, now);
    this.leftPerTenant.move(target.tenantId, left, now);
  }

  /**
   * Beats in the roster (at most once per `rosterBeatMs`) and takes 1 / (live senders) of
   * Teams' limits. A failed beat keeps the share the worker had.
   */
  private async beat(): Promise<void> {
    const { roster, clock, logger } = this.options;
    const now = clock.now();
    if (!roster || now.getTime() - this.beatAt < this.beatMs) return;
    const joining = this.beatAt === Number.NEGATIVE_INFINITY;
    this.beatAt = now.getTime();
    try {
      const live = await roster.liveSenders(this.owner, now, this.options.rosterTtlMs ?? 5_000);
      // Others already sending have not counted this one yet: it waits a beat for them (alone, it need not).
      if (joining && live > 1) this.sendsFrom = now.getTime() + this.beatMs;
      this.setShare(1 / Math.max(1, live));
      if (this.beatFailing) logger.info({ owner: this.owner, share: this.share }, 'sender roster beats again');
      this.beatFailing = false;
    } catch (error) {
      if (!this.beatFailing) logger.warn({ err: error instanceof Error ? error.name : 'unknown', owner: this.owner }, 'sender roster beat failed; keeping the share');
      this.beatFailing = true;
    }
  }

  /**
   * Beats, and on joining the roster waits until the other instances have counted this one
   * (one beat), so they have halved their share before it sends with its half.
   */
  private async joined(signal: AbortSignal): Promise<void> {
    await this.beat();
    const wait = this.sendsFrom - this.options.clock.now().getTime();
    if (wait > 0 && !signal.aborted) {
      await this.sleep(wait, signal);
      await this.beat();
    }
  }

  /** Holds `share` of every limit from now on. */
  private setShare(share: number): void {
    if (share === this.share) return;
    this.share = share;
    for (const limiter of [this.perConversation, this.perTenant, this.leftPerConversation, this.leftPerTenant]) limiter.setShare(share);
    // The pacing is rebuilt at the new rate; the windows above still hold what was sent.
    this.spaced = pacing(this.conversationWindows, this.tenantWindows, share);
  }

  /** Every window, planned and left, held wider by `ms` from now on. */
  private setMargin(ms: number): void {
    for (const limiter of [this.perConversation, this.perTenant, this.leftPerConversation, this.leftPerTenant]) limiter.setMarginMs(ms);
  }

  /** The project's one backoff (`http/backoff.ts`), Retry-After as its floor. */
  private backoff(attempts: number, retryAfterMs?: number): number {
    const steps = { baseMs: this.options.baseBackoffMs ?? 2_000, maxMs: this.options.maxBackoffMs ?? 300_000 };
    return backoffDelay(attempts, steps, this.random, retryAfterMs);
  }

  private async sent(n: ClaimedNotification, activityId: string): Promise<Outcome> {
    const recorded = await this.options.outbox.markSent(n.id, this.owner, activityId, this.options.clock.now());
    if (!recorded) this.options.logger.warn({ notification: n.id, owner: this.owner }, 'lease lost before the send was recorded');
    this.stats.sent++;
    return 'sent';
  }

  private async retry(n: ClaimedNotification, input: { nextAttemptAt: Date; error: string }): Promise<Outcome> {
    await this.options.outbox.reschedule(n.id, this.owner, input, this.options.clock.now());
    this.stats.retried++;
    return 'retried';
  }

  private async dead(n: ClaimedNotification, reason: string): Promise<Outcome> {
    await this.options.outbox.markDead(n.id, this.owner, reason, this.options.clock.now());
    this.options.logger.warn({ notification: n.id, kind: n.kind, reason }, 'notification given up');
    this.stats.dead++;
    return 'dead';
  }
}
