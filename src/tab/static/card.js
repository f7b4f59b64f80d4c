/*
 * The bot's card, rendered by the Adaptive Cards SDK as Teams shows it. The API answers it
 * read-only (no actions, inputs as text); the page renders nothing it could act on.
 */

/** Host settings matching the Teams theme. */
function hostConfig(theme) {
  const dark = theme === 'theme-dark' || theme === 'theme-contrast';
  const fg = dark ? '#FFFFFF' : '#242424';
  const subtle = dark ? '#ADADAD' : '#616161';
  return new window.AdaptiveCards.HostConfig({
    fontFamily: '"Segoe UI", system-ui, sans-serif',
    supportsInteractivity: false,
    containerStyles: {
      default: { backgroundColor: dark ? (theme === 'theme-contrast' ? '#000000' : '#292929') : '#FFFFFF', foregroundColors: { default: { default: fg, subtle } } },
      emphasis: { backgroundColor: dark ? '#333333' : '#F5F5F5', foregroundColors: { default: { default: fg, subtle } } },
    },
  });
}

/**
 * Card text is markdown in Teams: the subset the Adaptive Cards documentation lists for Teams
 * (bold, italic, lists, links, bare URLs linked), no raw HTML, no backslash escapes. Without
 * it the SDK shows the markup itself.
 */
export function useTeamsMarkdown() {
  if (!window.markdownit || !window.AdaptiveCards) return;
  const md = window.markdownit('zero', { html: false, linkify: true, breaks: true })
    .enable(['emphasis', 'link', 'list', 'linkify', 'newline']);
  window.AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = md.render(text);
    result.didProcess = true;
  };
}

/** Renders card JSON into an element; false when it cannot. */
export function renderCard(json, theme) {
  if (!window.AdaptiveCards) return undefined;
  const card = new window.AdaptiveCards.AdaptiveCard();
  card.hostConfig = hostConfig(theme);
  card.parse(json);
  return card.render() || undefined;
}
