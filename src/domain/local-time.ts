/**
 * Times as people type and read them: a date and a wall-clock time in the engineer's own
 * time zone (Teams sends it with every activity), stored as UTC, shown back in whichever zone
 * the reader is in, with that zone named. The zone rules (offsets, daylight saving) come from
 * the runtime's IANA data, through Intl to read an instant and luxon to read a typed time:
 * nothing here adds or subtracts daylight-saving hours by hand.
 */
import { DateTime } from 'luxon';

/** The zone used when the engineer's own is not known. */
export const UTC_ZONE = 'UTC';

/** Longest zone name accepted ("America/Argentina/ComodRivadavia" is 32). */
const MAX_ZONE_NAME = 64;
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*(?::\d{2})?$/;
const FIXED_OFFSET = /^UTC([+-])(\d{1,2})(?::?(\d{2}))?$/i;
/** Intl's `longOffset` zone name: "GMT+09:00", "GMT-08:00", or "GMT" for zero. */
const GMT_OFFSET = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/;

/** An instant's wall clock in a zone, to the minute. */
export interface WallClock {
  /** YYYY-MM-DD */
  readonly date: string;
  /** HH:MM */
  readonly time: string;
  /** The zone's name (IANA id, "UTC+09:00", or "UTC"). */
  readonly zone: string;
  /** The zone's offset from UTC at that instant, in minutes. */
  readonly offsetMinutes: number;
}

/** ±hh:mm for an offset in minutes (ASCII sign: the text is copied into other systems). */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A fixed offset in minutes as a zone name: 540 → "UTC+09:00", 0 → "UTC". */
export function fixedOffsetName(minutes: number): string {
  return minutes === 0 ? UTC_ZONE : `UTC${offsetText(minutes)}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * A time zone that reads instants on its wall clock. Building one validates the name and
 * prepares an Intl formatter (tens of µs); reading an instant with it costs a few µs, so one
 * is kept per zone (`TimeZones`).
 */
export class TimeZone {
  private constructor(
    /** Canonical name: "Asia/Seoul", "UTC+09:00" or "UTC". */
    readonly name: string,
    private readonly format: Intl.DateTimeFormat | undefined,
    private readonly fixedMinutes: number,
  ) {}

  /** UTC. */
  static readonly utc = new TimeZone(UTC_ZONE, undefined, 0);

  /**
   * The zone an IANA id ("Asia/Seoul", any letter case) or a fixed offset ("UTC+09:00",
   * "UTC+9") names, or undefined when this runtime does not know it.
   */
  static of(name: unknown): TimeZone | undefined {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ZONE_NAME || !ZONE_NAME.test(name)) return undefined;
    const fixed = FIXED_OFFSET.exec(name);
    if (fixed) {
      const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
      if (Number(fixed[2]) > 14 || Number(fixed[3] ?? 0) > 59 || minutes > 14 * 60) return undefined;
      const signed = fixed[1] === '-' ? -minutes : minutes;
      return signed === 0 ? TimeZone.utc : new TimeZone(fixedOffsetName(signed), undefined, signed);
    }
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        hourCycle: 'h23',
        timeZoneName: 'longOffset',
      });
    } catch {
      return undefined; // RangeError: not a zone this runtime knows
    }
    // Intl knows the spelling ("asia/seoul" → "Asia/Seoul"), but Node 20's ICU also swaps a
    // current name for its old alias ("Asia/Kolkata" → "Asia/Calcutta"): the name as sent wins then.
    const resolved = format.resolvedOptions().timeZone;
    if (resolved === UTC_ZONE || resolved === 'Etc/UTC' || resolved === 'Etc/GMT') return TimeZone.utc;
    return new TimeZone(resolved.toLowerCase() === name.toLowerCase() ? resolved : name, format, 0);
  }

  /** An instant on this zone's wall clock; undefined for an unreadable instant. */
  wallClock(instant: Date | string): WallClock | undefined {
    const at = typeof instant === 'string' ? new Date(instant) : instant;
    const ms = at.getTime();
    if (Number.isNaN(ms)) return undefined;
    if (this.format === undefined) {
      // UTC or a fixed offset: no rules to apply, the offset is the whole story.
      const shifted = new Date(ms + this.fixedMinutes * 60_000);
      return {
        date: `${shifted.getUTCFullYear()}-${pad2(shifted.getUTCMonth() + 1)}-${pad2(shifted.getUTCDate())}`,
        time: `${pad2(shifted.getUTCHours())}:${pad2(shifted.getUTCMinutes())}`,
        zone: this.name,
        offsetMinutes: this.fixedMinutes,
      };
    }
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(at)) parts[part.type] = part.value;
    const gmt = GMT_OFFSET.exec(parts.timeZoneName ?? '');
    const offsetMinutes = gmt?.[1] ? (gmt[1] === '-' ? -1 : 1) * (Number(gmt[2]) * 60 + Number(gmt[3])) : 0;
    return {
      date: `${parts.year ?? ''}-${pad2(Number(parts.month))}-${pad2(Number(parts.day))}`,
      time: `${pad2(Number(parts.hour))}:${pad2(Number(parts.minute))}`,
      zone: this.name,
      offsetMinutes,
    };
  }
}

/**
 * The zones readers are in, each built once. Bounded: names come from clients, and past the
 * bound a zone is built per use rather than kept.
 */
export class TimeZones {
  private readonly known = new Map<string, TimeZone | undefined>();

  constructor(private readonly max = 1000) {}

  /** The zone a client-sent name names, or undefined. */
  get(name: string | undefined): TimeZone | undefined {
    if (name === undefined) return undefined;
    if (this.known.has(name)) return this.known.get(name);
    const zone = TimeZone.of(name);
    if (this.known.size < this.max) this.known.set(name, zone);
    return zone;
  }
}

/** The canonical name of a zone this runtime knows, or undefined. */
export function canonicalTimeZone(name: unknown): string | undefined {
  return TimeZone.of(name)?.name;
}

/** An instant (ISO 8601) on the wall clock of `zone`, UTC when the zone is unknown or not given. */
export function wallClock(iso: string, zone: string | undefined): WallClock | undefined {
  return (TimeZone.of(zone) ?? TimeZone.utc).wallClock(iso);
}

/** How a typed local time was read when the zone's clocks changed around it. */
export type LocalTimeAdjustment =
  /** The clocks jumped over it (spring forward): read as the same distance after the jump. */
  | 'skipped'
  /** It happened twice (fall back): read as its first occurrence. */
  | 'repeated';

/** A typed local time, read. */
export interface ReadLocalTime {
  readonly at: Date;
  readonly adjustment?: LocalTimeAdjustment;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant of a date (`YYYY-MM-DD`) and a wall-clock time (`HH:MM[:SS]`) typed in `zone`
 * (a canonical name); undefined for a day or time that does not exist on any calendar, or an
 * unknown zone.
 *
 * Two cases have a defined answer: a time the clocks skipped (02:30 on the night clocks go
 * 02:00 → 03:00) is read as the same distance after the jump (03:30, the instant 02:30 would
 * have been before it), and a time that happened twice (01:30 on the night clocks go
 * 02:00 → 01:00) is read as its first occurrence, the earlier instant — a problem said to run
 * "since" then has run at least that long. This is what RFC 5545 and Temporal's
 * `disambiguation: "compatible"` do.
 */
export function localToUtc(date: string, time: string, zone: string): ReadLocalTime | undefined {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return undefined;
  const wanted = { year: Number(d[1]), month: Number(d[2]), day: Number(d[3]), hour: Number(t[1]), minute: Number(t[2]), second: Number(t[3] ?? 0) };
  if (wanted.hour > 23 || wanted.minute > 59 || wanted.second > 59) return undefined;
  const read = DateTime.fromObject(wanted, { zone });
  if (!read.isValid) return undefined;
  if (read.hour !== wanted.hour || read.minute !== wanted.minute || read.day !== wanted.day) {
    // luxon moves a skipped time forward by the length of the gap: that is the answer above.
    return { at: read.toJSDate(), adjustment: 'skipped' };
  }
  const occurrences = read.getPossibleOffsets();
  if (occurrences.length > 1) {
    const first = occurrences.reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a));
    return { at: first.toJSDate(), adjustment: 'repeated' };
  }
  return { at: read.toJSDate() };
}

/**
 * How an instant is written for Microsoft: in UTC, with the engineer's own reading and its
 * offset stated, e.g. "2026-12-05 16:00 UTC (08:00 America/Los_Angeles, UTC-08:00)"; the
 * local date is repeated when it differs from the UTC one. Plain UTC when the zone is unknown.
 */
export function requestTime(iso: string, zone: TimeZone | string | undefined): string {
  const utc = TimeZone.utc.wallClock(iso);
  if (!utc) return iso;
  const head = `${utc.date} ${utc.time} UTC`;
  // A prepared zone is used as it is: building one from its name costs tens of µs.
  const local = (zone instanceof TimeZone ? zone : TimeZone.of(zone))?.wallClock(iso);
  if (!local || local.zone === UTC_ZONE) return head;
  const when = local.date === utc.date ? local.time : `${local.date} ${local.time}`;
  return `${head} (${when} ${local.zone}, UTC${offsetText(local.offsetMinutes)})`;
}
