/**
 * The response clocks of an escalation as the tab's API gives them (`Clock` in
 * TAB-CONTRACT.md): read at request time from the stored times with the domain's clocks
 * (`domain/escalation-clocks.ts`), so the list, the detail and the card always agree.
 */
import type { Escalation } from '../domain/escalation';
import { escalationClocks, type ClockSettings } from '../domain/escalation-clocks';
import type { ClockReading } from '../domain/response-clocks';
import { SEVERITIES } from '../domain/triage';

/** Where a clock stands, as the page shows it. */
export type TabClockState = 'running' | 'met' | 'breached' | 'breached-running';

/** One response clock of an escalation. */
export interface TabClock {
  readonly kind: 'microsoft' | 'partner';
  /** Microsoft's clock: the linked request's severity (A, B or C). */
  readonly severity?: 'A' | 'B' | 'C';
  readonly startedAt: string;
  readonly dueAt: string;
  /** When the response came (Microsoft's first response; the customer told). */
  readonly stoppedAt?: string;
  readonly state: TabClockState;
  /** While the clock runs: whole minutes until the due time, negative once it is past. */
  readonly minutesLeft?: number;
}

const MINUTE_MS = 60_000;

/** The page's state of a domain reading: the 80 % warning is still running; a late stop is a breach. */
function stateOf(reading: ClockReading): TabClockState {
  switch (reading.state) {
    case 'running':
    case 'warning':
      return 'running';
    case 'breached':
      return 'breached-running';
    case 'met':
      return 'met';
    case 'missed':
      return 'breached';
  }
}

function view(kind: TabClock['kind'], reading: ClockReading, severity?: TabClock['severity']): TabClock {
  const running = reading.stoppedAt === undefined;
  return {
    kind,
    ...(severity ? { severity } : {}),
    startedAt: reading.startedAt,
    dueAt: reading.dueAt,
    ...(reading.stoppedAt ? { stoppedAt: reading.stoppedAt } : {}),
    state: stateOf(reading),
    // Floor: "0 minutes left" only in the last minute; -1 as soon as it is late.
    ...(running ? { minutesLeft: Math.floor(reading.remainingMs / MINUTE_MS) } : {}),
  };
}

/** The clocks that apply to an escalation at `now` (Microsoft's first, then the partner's); empty when none does. */
export function tabClocks(escalation: Escalation, settings: ClockSettings, now: Date): TabClock[] {
  const clocks = escalationClocks(escalation, settings, now);
  const out: TabClock[] = [];
  if (clocks.microsoft) out.push(view('microsoft', clocks.microsoft.reading, SEVERITIES[clocks.microsoft.severity].label));
  if (clocks.partner) out.push(view('partner', clocks.partner));
  return out;
}
