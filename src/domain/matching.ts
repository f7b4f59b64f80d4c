/**
 * Does a customer's problem look like a documented Microsoft issue? Ranks the tenant's open
 * service-health issues against the reported service, symptom text and start time, and
 * says why each one matched so a card can show the reasons. Pure: no I/O, no clock.
 */
import { isOpenIssue, type HealthIssue } from './health-issue';

/** What the partner reported. */
export interface SymptomReport {
  readonly customerTenantId: string;
  /** Service display name or Graph service id, e.g. "Exchange Online" or "Exchange". */
  readonly service: string;
  readonly symptom: string;
  /** When the customer says it started (ISO). */
  readonly startedAt: string;
}

/** Why an issue matched, machine-readable. */
export type MatchReason =
  | { readonly code: 'sameService'; readonly service: string }
  | { readonly code: 'incident' }
  | { readonly code: 'advisory' }
  | { readonly code: 'wordsInTitle'; readonly words: readonly string[] }
  | { readonly code: 'wordsInImpact'; readonly words: readonly string[] }
  | { readonly code: 'wordsInFeature'; readonly words: readonly string[] }
  /** Microsoft's start is close to when the problem started (see `SAME_TIME_WINDOW_MS`). */
  | { readonly code: 'timeOverlap'; readonly issueStart: string }
  /** The issue began long before the problem and was still open when it started: true, but weaker evidence. */
  | { readonly code: 'ongoing'; readonly issueStart: string };

type WordReasonCode = 'wordsInTitle' | 'wordsInImpact' | 'wordsInFeature';

/** One ranked candidate. */
export interface IssueMatch {
  readonly issue: HealthIssue;
  readonly score: number;
  readonly reasons: readonly MatchReason[];
}

/** Points per signal; exported so tests and cards can explain a score. */
export const MATCH_WEIGHTS = Object.freeze({
  sameService: 40,
  incident: 15,
  advisory: 5,
  wordInTitle: 8,
  wordInImpact: 5,
  wordInFeature: 6,
  /** Word points are capped so a long symptom cannot outweigh the service. */
  maxWordPoints: 36,
  timeOverlap: 12,
  ongoing: 3,
});

/**
 * How far before Microsoft's start a customer may have noticed trouble and still be the
 * same issue: Microsoft's start times are set after investigation and often lag.
 */
export const START_TOLERANCE_MS = 2 * 60 * 60 * 1000;

/**
 * How long before the problem Microsoft's start may be and still be "around the same time": an
 * incident that began days (or months) earlier and is still open overlaps, but saying it started
 * at the same time would be false; it is `ongoing` instead.
 */
export const SAME_TIME_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Word points an issue of another service needs to be offered at all (two title words):
 * a Teams sign-in failure may be an Entra incident, but one shared word is coincidence.
 */
export const OTHER_SERVICE_MIN_WORD_POINTS = 16;

const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been but by can cannot could did do does for from has have how i if in into is it its ' +
    'may might not of on or our some that the their them then there these they this to too was we were what when ' +
    'where which while who will with would you your users user customer customers issue issues problem problems ' +
    'since today yesterday some any all get got getting still also just only very able unable'
  ).split(' '),
);

/** Lowercase words of a text, stop words and one-letter words dropped, naive plurals folded. */
export function tokenize(text: string): string[] {
  // "E-Mail" (Microsoft's feature names) and "email" (what people type) must meet.
  const words = text.toLowerCase().replace(/\be-mail/g, 'email').match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  for (const raw of words) {
    if (raw.length < 2 || STOP_WORDS.has(raw)) continue;
    out.add(fold(raw));
  }
  return [...out];
}

/** Folds simple English plurals so "emails" meets "email" and "mailboxes" meets "mailbox". */
function fold(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(x|ch|sh|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function normalizeService(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Whether the reported service names the issue's service (display name or id, any spacing or case). */
export function sameService(reported: string, issueService: string, serviceId?: string): boolean {
  const r = normalizeService(reported);
  return r !== '' && (r === normalizeService(issueService) || (serviceId !== undefined && r === normalizeService(serviceId)));
}

function overlapWords(symptomWords: ReadonlySet<string>, text: string | undefined): string[] {
  if (!text) return [];
  return tokenize(text).filter((w) => symptomWords.has(w));
}

/**
 * Ranks the open issues that could explain the report, best first. An issue of the same
 * service is always a candidate; one of another service only with enough word evidence.
 * `serviceIds` maps display names to Graph ids, when known, so "Exchange" matches too.
 */
export function rankIssues(
  report: SymptomReport,
  issues: readonly HealthIssue[],
  serviceIds: Readonly<Record<string, string>> = {},
): IssueMatch[] {
  const symptomWords = new Set(tokenize(report.symptom));
  const symptomStart = Date.parse(report.startedAt);
  const matches: IssueMatch[] = [];

  for (const issue of issues) {
    if (!isOpenIssue(issue)) continue;
    const reasons: MatchReason[] = [];
    let score = 0;

    const serviceMatch = sameService(report.service, issue.service, serviceIds[issue.service]);
    if (serviceMatch) {
      score += MATCH_WEIGHTS.sameService;
      reasons.push({ code: 'sameService', service: issue.service });
    }
    if (issue.classification === 'incident') {
      score += MATCH_WEIGHTS.incident;
      reasons.push({ code: 'incident' });
    } else if (issue.classification === 'advisory') {
      score += MATCH_WEIGHTS.advisory;
      reasons.push({ code: 'advisory' });
    }

    // A word counts once, in the most telling field it appears in.
    const counted = new Set<string>();
    let wordPoints = 0;
    const fields: readonly [WordReasonCode, string | undefined, number][] = [
      ['wordsInTitle', issue.title, MATCH_WEIGHTS.wordInTitle],
      ['wordsInFeature', [issue.feature, issue.featureGroup].filter(Boolean).join(' '), MATCH_WEIGHTS.wordInFeature],
      ['wordsInImpact', issue.impactDescription, MATCH_WEIGHTS.wordInImpact],
    ];
    for (const [code, text, weight] of fields) {
      const words = overlapWords(symptomWords, text).filter((w) => !counted.has(w));
      if (words.length === 0) continue;
      words.forEach((w) => counted.add(w));
      wordPoints += words.length * weight;
      reasons.push({ code, words });
    }
    const cappedWordPoints = Math.min(wordPoints, MATCH_WEIGHTS.maxWordPoints);
    score += cappedWordPoints;

    const issueStart = Date.parse(issue.startDateTime);
    const issueEnd = issue.endDateTime ? Date.parse(issue.endDateTime) : Number.POSITIVE_INFINITY;
    if (!Number.isNaN(symptomStart) && issueStart <= symptomStart + START_TOLERANCE_MS && issueEnd >= symptomStart) {
      if (issueStart >= symptomStart - SAME_TIME_WINDOW_MS) {
        score += MATCH_WEIGHTS.timeOverlap;
        reasons.push({ code: 'timeOverlap', issueStart: issue.startDateTime });
      } else {
        score += MATCH_WEIGHTS.ongoing;
        reasons.push({ code: 'ongoing', issueStart: issue.startDateTime });
      }
    }

    if (serviceMatch || cappedWordPoints >= OTHER_SERVICE_MIN_WORD_POINTS) {
      matches.push({ issue, score, reasons });
    }
  }

  return matches.sort(
    (a, b) =>
      b.score - a.score ||
      classRank(a.issue) - classRank(b.issue) ||
      b.issue.startDateTime.localeCompare(a.issue.startDateTime) ||
      a.issue.id.localeCompare(b.issue.id),
  );
}

function classRank(issue: HealthIssue): number {
  return issue.classification === 'incident' ? 0 : issue.classification === 'advisory' ? 1 : 2;
}
