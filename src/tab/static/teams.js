/*
 * The Teams side of the page: the SDK started first of all (outside Teams it fails or hangs,
 * so it is given up after 2 s), the context (theme, locale, the sub-page a deep link names),
 * the SSO token for the API, and opening links the Teams way.
 */

const INIT_TIMEOUT_MS = 2000;

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    Promise.resolve(promise).then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

/** Applies a Teams theme name to the page. */
export function applyTheme(theme) {
  const name = theme === 'dark' ? 'theme-dark' : theme === 'contrast' ? 'theme-contrast' : 'theme-default';
  document.body.classList.remove('theme-default', 'theme-dark', 'theme-contrast');
  document.body.classList.add(name);
  return name;
}

/** Starts the SDK: { inTeams, locale, theme, team, subPageId }. */
export async function initTeams() {
  const sdk = window.microsoftTeams;
  const outside = { inTeams: false };
  if (!sdk || !sdk.app) return outside;
  try {
    await withTimeout(sdk.app.initialize(), INIT_TIMEOUT_MS);
  } catch (e) {
    return outside;
  }
  try {
    const context = await withTimeout(sdk.app.getContext(), INIT_TIMEOUT_MS);
    return {
      inTeams: true,
      locale: context && context.app ? context.app.locale : undefined,
      theme: context && context.app ? context.app.theme : 'default',
      team: Boolean(context && context.team),
      subPageId: context && context.page ? context.page.subPageId : undefined,
    };
  } catch (e) {
    // No context: default theme and the browser's language; the data still loads.
    return { inTeams: true };
  }
}

/** Follows Teams' theme changes. */
export function onThemeChange(handler) {
  const sdk = window.microsoftTeams;
  if (sdk && sdk.app && sdk.app.registerOnThemeChangeHandler) sdk.app.registerOnThemeChangeHandler(handler);
}

/** The Authorization header for the API (none outside Teams: the development identity). */
export async function authHeaders(inTeams) {
  if (!inTeams) return {};
  const token = await window.microsoftTeams.authentication.getAuthToken();
  return { Authorization: 'Bearer ' + token };
}

/** Opens a (deep) link: through Teams inside Teams, a new tab outside. */
export function openLinkFor(inTeams) {
  if (!inTeams) return undefined;
  return (href) => { void window.microsoftTeams.app.openLink(href); };
}
