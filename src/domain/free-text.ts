/**
 * Reading what an engineer typed that is not a command: whether it reads like a problem worth
 * offering an escalation for, and what of `escalate <customer> <words>` names a service and a title.
 */

/** At least this many words reads as a sentence about a problem, not a stray word or a question to the bot. */
const PROBLEM_WORDS = 8;
/** At least this much text (without spaces; a Hangul or CJK character counts twice: it says more) does too. */
const PROBLEM_WEIGHT = 40;
/** Scripts whose characters carry a syllable or a word each. */
const DENSE_SCRIPT = /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** Longest title taken from typed text (the describe card's limit is 200). */
const MAX_TITLE = 100;
/** Words too common in service names to pick one by ("Exchange Online", "Microsoft Teams"). */
const NOT_A_SERVICE_WORD = new Set(['microsoft', 'online', 'for', 'business', 'apps', 'app', '365', 'the', 'and', 'of']);

/** Whether unrecognised text reads like a problem description (rather than a stray word or a typo'd command). */
export function readsLikeProblem(text: string): boolean {
  const trimmed = text.trim();
  const words = trimmed.split(/\s+/).filter(Boolean).length;
  let weight = 0;
  for (const ch of trimmed.replace(/\s+/g, '')) weight += DENSE_SCRIPT.test(ch) ? 2 : 1;
  return words >= PROBLEM_WORDS || weight >= PROBLEM_WEIGHT;
}

/** The word forms a service name is found by: lower case, letters and digits only. */
function wordsOf(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && !NOT_A_SERVICE_WORD.has(w));
}

/**
 * The one service among `services` a word of `text` names ("teams calls drop" → Microsoft
 * Teams); undefined when none or several do.
 */
export function serviceNamedIn(text: string, services: readonly string[]): string | undefined {
  const typed = new Set(wordsOf(text));
  const named = services.filter((s) => wordsOf(s).some((w) => typed.has(w)));
  return named.length === 1 ? named[0] : undefined;
}

/** A word as a service name is compared: NFKC, lower case, without the punctuation around it ("Exchange:" → "exchange"). */
function bareWord(word: string): string {
  return word.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * `text` without the words at its head that name `service` ("exchange online: mail stuck" →
 * "mail stuck" for Exchange Online). The request's title is the service and this text, which
 * would otherwise say the service twice ("Exchange Online: exchange mail stuck"). The head is
 * dropped only when one of its words tells the service apart (not "microsoft" alone); a service
 * named later in the text stays.
 */
export function withoutLeadingService(text: string, service: string): string {
  const nameWords = new Set(service.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  const telling = new Set(wordsOf(service));
  let end = 0;
  let told = false;
  for (const word of text.matchAll(/\S+/g)) {
    const bare = bareWord(word[0]);
    // A lone ":" or "-" after the service's name goes with it.
    if (bare === '' ? end === 0 : !nameWords.has(bare)) break;
    told ||= telling.has(bare);
    end = word.index + word[0].length;
  }
  // Cut from the text itself: its lines and sentences stay for titleFrom to find the first.
  return (told ? text.slice(end) : text).trim();
}

/** A title from typed text: its first line or sentence, at most MAX_TITLE characters. */
export function titleFrom(text: string): string {
  const first = text.trim().split(/\r?\n|(?<=[.!?。])\s/)[0] ?? '';
  const chars = [...first.replace(/\s+/g, ' ').trim()];
  return chars.length > MAX_TITLE ? `${chars.slice(0, MAX_TITLE - 1).join('').trimEnd()}…` : chars.join('');
}
