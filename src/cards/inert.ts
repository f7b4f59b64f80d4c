/**
 * Text that came from a user (or from any upstream) is shown as typed, never interpreted:
 * Teams renders TextBlock, FactSet and message text as markdown, so link and emphasis
 * syntax is escaped and anything tag-like is broken up. Apply it to values, never to the
 * localized strings around them, and never to input values (those are edited, not rendered).
 */

/** Markdown punctuation that can make a link, emphasis or code span. */
const MARKDOWN_SYNTAX = /[\\[\]()*_~`]/g;

/** The text, made inert for markdown rendering. */
export function inert(text: string): string {
  // A zero-width space after '<' keeps the text readable and stops '<script', '<https:…>' and the like.
  return text.replace(MARKDOWN_SYNTAX, (c) => `\\${c}`).replace(/</g, '<\u200B');
}

/** The same for optional text. */
export function inertOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : inert(text);
}
