/**
 * Which notifications an occasion calls for, to whom, when, and under which dedupe key. The
 * key is what makes a notification happen once however often the occasion is seen (a second
 * poll of the same change, a second press of a button, several instances scanning for
 * reminders): the outbox skips a key it already holds. Pure: the caller renders the message,
 * and the store enqueues the plan (with the state change it belongs to, when there is one).
 */
import type { Escalation, EscalationState } from './escalation';
import { detailsOf } from './details';

/** What a notification is about; reminders are keyed per period so one is sent per period at most. */
export type NotificationKind = 'resolved' | 'attention_needed' | 'escalated' | 'reminder' | 'card_update' | 'incident_card' | 'incident_reply';

/** A message as the outbox stores it: an activity (text or card attachments) and, for updates, the activity to replace. */
export type NotificationPayload = {
  /** Bot Framework activity fields (type, text, attachments, …). */
  readonly activity: Readonly<Record<string, unknown>>;
  /** Replace this earlier activity instead of sending a new one (`card_update`). */
  readonly updateActivityId?: string;
  /** Whom a new message @mentions where the conversation is shared (a channel, a group chat): the escalation's owner. */
  readonly mention?: Mention;
};

/** A person to @mention: their Teams or Microsoft Entra object id, and the name shown. */
export interface Mention {
  readonly id: string;
  readonly name: string;
}

/** The escalation's owner as a mention, when their name is known (a mention without a name reads as nothing). */
export function ownerMention(escalation: Escalation): { mention?: Mention } {
  const name = escalation.ownerName?.trim();
  return name && escalation.ownerId && escalation.ownerId !== 'unknown' ? { mention: { id: escalation.ownerId, name } } : {};
}

/** One notification to enqueue: the outbox row an occasion calls for (the store gives it its id). */
export interface PlannedNotification {
  readonly escalationId: string;
  readonly kind: NotificationKind;
  /** The conversation reference key to send to. */
  readonly target: string;
  /** What to send: a `NotificationPayload`. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Unique across the outbox: a second notification with the same key is silently skipped. */
  readonly dedupeKey: string;
  /** Not before this time (ISO 8601); default: now. */
  readonly notBefore?: string;
}

/** Which notification a transition by Microsoft sends to every target (none for the other states). */
export function notificationKindFor(to: EscalationState): NotificationKind | undefined {
  if (to === 'resolved') return 'resolved';
  if (to === 'attention_needed') return 'attention_needed';
  return undefined;
}

/** The conversation reference keys notified about an escalation (`details.notifyTargets`), the flow's own first. */
export function notifyTargetsOf(escalation: Escalation): readonly string[] {
  const value: unknown = detailsOf(escalation).notifyTargets;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** The kinds of reminder. */
export type ReminderRule = 'resolved' | 'quiet' | 'handoff';

/** How long each waiting state may last before (and between) reminders. */
export interface ReminderPeriods {
  readonly resolvedMs: number;
  readonly quietRequestMs: number;
  readonly handoffMs: number;
}

/**
 * The escalations that wait on the engineer, and which period applies: resolved but the
 * customer not told, escalated with no word from Microsoft, a prepared request not filed.
 */
export const REMINDER_RULES: ReadonlyArray<{ readonly rule: ReminderRule; readonly state: EscalationState; readonly period: keyof ReminderPeriods }> = [
  { rule: 'resolved', state: 'resolved', period: 'resolvedMs' },
  { rule: 'quiet', state: 'escalated', period: 'quietRequestMs' },
  { rule: 'handoff', state: 'awaiting_handoff', period: 'handoffMs' },
];

/**
 * How long an escalation has waited in its state at `now` and how many whole periods that is;
 * undefined before the first period has passed. A state change restarts the clock.
 */
export function reminderDue(escalation: Escalation, periodMs: number, now: Date): { readonly waitedMs: number; readonly periods: number } | undefined {
  const waitedMs = now.getTime() - Date.parse(escalation.updatedAt);
  const periods = Math.floor(waitedMs / periodMs);
  return periods < 1 ? undefined : { waitedMs, periods };
}

/** Notifications already sent for an escalation, as far as retiring a card needs to know them. */
export interface SentNotification {
  readonly kind: NotificationKind;
  readonly target: string;
  readonly sentActivityId?: string;
}

/** An occasion that calls for notifications, with the message rendered for it. */
export type NotificationOccasion =
  /**
   * Microsoft moved the escalation (`escalation` is the record after the move, to be saved at
   * `version`): every target is told once, with the card to act on (`message`), when the new
   * state calls for it (resolved, attention needed); the flow's own card, posted in the first
   * target, becomes the read-only `status` in place, so the event has one card to act on there.
   * Without `status` the flow's card is left as it is (never a second copy of `message`).
   */
  | {
      readonly occasion: 'microsoft_moved';
      readonly escalation: Escalation;
      readonly version: number;
      readonly message: NotificationPayload;
      /** The read-only status the flow's card becomes, and every earlier card Microsoft's events sent (`sent`). */
      readonly status?: NotificationPayload;
      /**
       * Notifications already sent for the escalation: the cards of earlier events (a question
       * never answered, a resolution before a reopen) become the status too, so only the new
       * event's card is left to act on.
       */
      readonly sent?: readonly SentNotification[];
      /** Default: `notifyTargetsOf(escalation)`. */
      readonly targets?: readonly string[];
    }
  /** A health check that outlasted its turn finished (`escalation` as saved): the flow's card shows its outcome. */
  | { readonly occasion: 'health_checked'; readonly escalation: Escalation; readonly message: NotificationPayload }
  /**
   * The escalation (as saved) left `resolved`: every copy of its "Microsoft resolved it" card (the
   * notifications sent, the flow's card) becomes the same read-only card, but the one pressed,
   * which the invoke's answer updates.
   */
  | {
      readonly occasion: 'left_resolved';
      readonly escalation: Escalation;
      readonly sent: readonly SentNotification[];
      readonly pressedActivityId?: string;
      readonly message: NotificationPayload;
    }
  /**
   * The engineer acted on a notification (answered Microsoft): the flow's own card, already a
   * read-only status, shows the new status (`message`) in place; once per saved version.
   */
  | { readonly occasion: 'status_changed'; readonly escalation: Escalation; readonly message: NotificationPayload }
  /** An answer to Microsoft settled after its turn: the card it was given on shows the outcome. */
  | {
      readonly occasion: 'answer_settled';
      readonly escalationId: string;
      /** The answer's idempotency key. */
      readonly requestId: string;
      readonly target: string;
      readonly activityId: string;
      readonly message: NotificationPayload;
    }
  /** A reminder of a waiting escalation, once per target per period (see `reminderDue`). */
  | {
      readonly occasion: 'reminder';
      readonly escalation: Escalation;
      readonly rule: ReminderRule;
      readonly periods: number;
      readonly message: NotificationPayload;
      /** Default: `notifyTargetsOf(escalation)`. */
      readonly targets?: readonly string[];
    }
  /**
   * A response clock of the escalation reached 80 % or passed its due time (see
   * `clockRemindersFor`): once per clock, reminder and target, ever (the clock's start is in the
   * key, so a clock read again after a restart finds the reminder already there).
   */
  | {
      readonly occasion: 'clock_reminder';
      readonly escalation: Escalation;
      readonly side: 'microsoft' | 'partner';
      readonly reminder: 'warning' | 'breach';
      readonly startedAt: string;
      readonly message: NotificationPayload;
      /** Default: `notifyTargetsOf(escalation)`. */
      readonly targets?: readonly string[];
    }
  /** A GDAP relationship ends soon without extending itself: one reminder per relationship and end date, wherever it goes. */
  | {
      readonly occasion: 'gdap_ending';
      readonly relationshipId: string;
      readonly endDateTime: string;
      readonly target: string;
      readonly message: NotificationPayload;
    }
  /**
   * A health-consent grant settled after its turn (Partner Center was slow): the card it was asked
   * on (`activityId`, when known) shows the outcome, once per grant request.
   */
  | {
      readonly occasion: 'consent_settled';
      readonly customerTenantId: string;
      readonly requestId: string;
      readonly target: string;
      readonly activityId?: string;
      readonly message: NotificationPayload;
    }
  /** "Remind me later", pressed at `pressedAt`: one reminder at `remindAt`; a second press in the same hour adds none. */
  | {
      readonly occasion: 'snooze';
      readonly escalationId: string;
      readonly target: string;
      readonly pressedAt: Date;
      readonly remindAt: Date;
      readonly message: NotificationPayload;
    };

/** The outbox rows an occasion calls for, each with its dedupe key, in the order to send them. */
export function planNotifications(o: NotificationOccasion): PlannedNotification[] {
  switch (o.occasion) {
    case 'microsoft_moved': {
      const kind = notificationKindFor(o.escalation.state);
      if (!kind) return [];
      const id = o.escalation.id;
      const targets = o.targets ?? notifyTargetsOf(o.escalation);
      // The stored version after this save names the transition: one notification per target, ever.
      const v = `v${o.version}`;
      const card = flowCard(o.escalation, targets[0]);
      const status = o.status;
      const earlier = status
        ? (o.sent ?? []).filter((n): n is SentNotification & { sentActivityId: string } => (n.kind === 'attention_needed' || n.kind === 'resolved') && !!n.sentActivityId)
        : [];
      return [
        ...(card?.activityId && status
          ? [update(id, card.target, card.activityId, status, `card_update:${id}:${v}:${card.target}`)]
          : []),
        ...(status ? earlier.map((n) => update(id, n.target, n.sentActivityId, status, `moved:${id}:${v}:${n.sentActivityId}`)) : []),
        ...[...new Set(targets)].map((target) => row(id, kind, target, { ...o.message, ...ownerMention(o.escalation) }, `${kind}:${id}:${v}:${target}`)),
      ];
    }
    case 'health_checked': {
      const { id, version } = o.escalation;
      const card = flowCard(o.escalation, notifyTargetsOf(o.escalation)[0]);
      if (!card) return [];
      const payload = { ...o.message, ...(card.activityId ? { updateActivityId: card.activityId } : {}) };
      return [row(id, 'card_update', card.target, payload, `health:${id}:v${version}:${card.target}`)];
    }
    case 'left_resolved': {
      const { id, version } = o.escalation;
      const copies = new Map<string, string>();
      for (const n of o.sent) if (n.kind === 'resolved' && n.sentActivityId) copies.set(n.sentActivityId, n.target);
      const card = flowCard(o.escalation, notifyTargetsOf(o.escalation)[0]);
      if (card?.activityId) copies.set(card.activityId, card.target);
      if (o.pressedActivityId) copies.delete(o.pressedActivityId);
      return [...copies].map(([activityId, target]) => update(id, target, activityId, o.message, `retire:${id}:v${version}:${activityId}`));
    }
    case 'status_changed': {
      const { id, version } = o.escalation;
      const card = flowCard(o.escalation, notifyTargetsOf(o.escalation)[0]);
      return card?.activityId ? [update(id, card.target, card.activityId, o.message, `status:${id}:v${version}:${card.target}`)] : [];
    }
    case 'answer_settled':
      return [update(o.escalationId, o.target, o.activityId, o.message, `answer:${o.escalationId}:${o.requestId}:${o.target}`)];
    case 'reminder': {
      const { id, updatedAt } = o.escalation;
      const targets = o.targets ?? notifyTargetsOf(o.escalation);
      return [...new Set(targets)].map((target) =>
        row(id, 'reminder', target, { ...o.message, ...ownerMention(o.escalation) }, `reminder:${id}:${o.rule}:${updatedAt}:${o.periods}:${target}`),
      );
    }
    case 'clock_reminder': {
      const { id } = o.escalation;
      const targets = o.targets ?? notifyTargetsOf(o.escalation);
      return [...new Set(targets)].map((target) =>
        row(id, 'reminder', target, { ...o.message, ...ownerMention(o.escalation) }, `clock:${id}:${o.side}:${o.reminder}:${o.startedAt}:${target}`),
      );
    }
    case 'gdap_ending':
      // The end's date, not its instant, and no target: a channel moved meanwhile does not get it again.
      return [row(`gdap:${o.relationshipId}`, 'reminder', o.target, { ...o.message }, `gdap-ending:${o.relationshipId}:${o.endDateTime.slice(0, 10)}`)];
    case 'consent_settled': {
      const key = `consent:${o.customerTenantId.toLowerCase()}:${o.requestId}`;
      const id = `access:${o.customerTenantId.toLowerCase()}`;
      return [o.activityId ? update(id, o.target, o.activityId, o.message, key) : row(id, 'card_update', o.target, { ...o.message }, key)];
    }
    case 'snooze': {
      const hour = Math.floor(o.pressedAt.getTime() / 3_600_000);
      const key = `reminder:${o.escalationId}:snooze:${hour}:${o.target}`;
      return [{ ...row(o.escalationId, 'reminder', o.target, { ...o.message }, key), notBefore: o.remindAt.toISOString() }];
    }
  }
}

/** The flow's own card: where it was posted (the first target) and, when known, its message id. */
function flowCard(escalation: Escalation, target: string | undefined): { target: string; activityId?: string } | undefined {
  if (!target) return undefined;
  const activityId = detailsOf(escalation).cardActivityId;
  return typeof activityId === 'string' && activityId !== '' ? { target, activityId } : { target };
}

function row(escalationId: string, kind: NotificationKind, target: string, payload: NotificationPayload, dedupeKey: string): PlannedNotification {
  return { escalationId, kind, target, payload, dedupeKey };
}

function update(escalationId: string, target: string, activityId: string, message: NotificationPayload, dedupeKey: string): PlannedNotification {
  return row(escalationId, 'card_update', target, { ...message, updateActivityId: activityId }, dedupeKey);
}
