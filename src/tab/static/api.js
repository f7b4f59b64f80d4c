/* The tab's API client: GET JSON with the SSO token, polling with ETags. */
import { authHeaders } from './teams.js';

/** A getter bound to whether the page runs in Teams: resolves { status, body, etag }; 304 has no body. */
export function apiClient(inTeams) {
  return async function getJson(path, etag) {
    const headers = await authHeaders(inTeams);
    if (etag) headers['If-None-Match'] = etag;
    const res = await fetch(path, { headers, cache: 'no-store', credentials: 'same-origin' });
    let body;
    if (res.status !== 304) {
      try { body = await res.json(); } catch (e) { body = undefined; }
    }
    return { status: res.status, body, etag: res.headers.get('ETag') || undefined };
  };
}

/** A raw fetch with the token (downloads): resolves the Response. */
export function rawClient(inTeams) {
  return async function fetchRaw(path, extraHeaders) {
    const headers = Object.assign(await authHeaders(inTeams), extraHeaders || {});
    return fetch(path, { headers, cache: 'no-store', credentials: 'same-origin' });
  };
}

/** The message for a failed answer. */
export function errorFor(i18n, status) {
  if (status === 401) return i18n.t('signInNeeded');
  if (status === 403) return i18n.t('forbidden');
  if (status === 404) return i18n.t('notFound');
  return i18n.t('loadFailed');
}
