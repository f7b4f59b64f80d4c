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

/** A title from typed text: its first line or sentence, at most MAX_TITLE characters. */
export function titleFrom(text: string): string {
  const first = text.trim().split(/\r?\n|(?<=[.!?。])\s/)[0] ?? '';
  const chars = [...first.replace(/\s+/g, ' ').trim()];
  return chars.length > MAX_TITLE ? `${chars.slice(0, MAX_TITLE - 1).join('').trimEnd()}…` : chars.join('');
}
