/**
 * What a reader sees of a text Teams renders: Teams reads message and card text as markdown
 * with HTML, so a `<word>` in it is a tag and is not shown. A CommonMark renderer with HTML
 * on stands in for it; the tags it makes are dropped, entities decoded and invisible characters removed.
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: true, linkify: false });

/** The text a reader sees of `text`, rendered as Teams would. */
export function visibleText(text: string): string {
  return markdown
    .renderInline(text)
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\u200B/g, '');
}
