/**
 * Text that came from a user (or from any upstream) is shown as typed, never interpreted:
 * Teams renders TextBlock, FactSet and message text as markdown. Backslash escapes are not
 * part of the Adaptive Cards markdown subset (Teams mobile shows the backslashes), so the
 * constructs that can mislead are broken up with an invisible zero-width space instead: a link
 * (`[label](target)`, `![img](src)`, a `[label]: target` definition) and an autolink or tag (`<https:…>`, `<script>`). The text
 * reads and copies the same apart from the invisible character. Emphasis (`**x**`, `_x_`) is
 * left alone: an invisible character cannot stop it without making the renderer swallow the
 * asterisks instead, and bold or italic text misleads no one. Apply it to values, never to the
 * localized strings around them, and never to input values (those are edited, not rendered).
 */

const ZWSP = '\u200B';

/** The text, made inert for markdown rendering. */
export function inert(text: string): string {
  return text
    .replace(/\](?=[(:])/g, `]${ZWSP}`)
    .replace(/<(?!\u200B)/g, `<${ZWSP}`);
}

/** The same for optional text. */
export function inertOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : inert(text);
}
