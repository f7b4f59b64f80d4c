/*
 * "My escalations": the page's entry. Starts Teams (theme, locale, deep-linked sub-page),
 * loads the strings for the reader's language, wires the views (the escalations list and one
 * escalation) and polls the one on screen every 10 s while the page is visible.
 * Plain browser ES modules (no bundler); all data goes into the page through textContent.
 */
import { $ } from './dom.js';
import { apiClient } from './api.js';
import { loadI18n } from './i18n.js';
import { applyTheme, initTeams, onThemeChange, openLinkFor } from './teams.js';
import { useTeamsMarkdown } from './card.js';
import { escalationList } from './escalations.js';
import { escalationDetail } from './escalation-detail.js';

const POLL_MS = 10000;

async function start() {
  useTeamsMarkdown();
  const query = new URLSearchParams(window.location.search);
  const teams = await initTeams();
  let theme = applyTheme(teams.inTeams ? teams.theme : query.get('theme') || 'default');
  onThemeChange((name) => { theme = applyTheme(name); });
  const locale = teams.locale || navigator.language || 'en';
  const i18n = await loadI18n(locale);
  document.documentElement.lang = i18n.language;
  const scope = teams.team || query.get('scope') === 'team' ? 'team' : 'personal';

  const page = {
    i18n,
    scope,
    getJson: apiClient(teams.inTeams),
    openLink: openLinkFor(teams.inTeams),
    theme: () => theme,
    showError(text) {
      const node = $('error');
      node.textContent = text || '';
      node.hidden = !text;
    },
    showIdentity(identity) {
      $('dev-banner').hidden = !(identity && identity.development);
      $('who').textContent = identity && identity.name ? i18n.t('signedInAs', { name: identity.name }) : '';
      $('mine-wrap').hidden = !(scope === 'personal' && identity && !identity.development);
    },
    openEscalation: (id) => openEscalation(id),
  };
  const list = escalationList(page);
  const detail = escalationDetail(page);

  async function openEscalation(id) {
    $('list-view').hidden = true;
    $('detail-view').hidden = false;
    await detail.open(id);
  }
  function closeEscalation() {
    detail.close();
    $('detail-view').hidden = true;
    $('list-view').hidden = false;
    void list.load();
  }

  async function poll() {
    try {
      if (!document.hidden) {
        if (detail.current()) await detail.load(true);
        else await list.load();
      }
    } catch (e) {
      page.showError(i18n.t('loadFailed'));
    }
    setTimeout(poll, POLL_MS);
  }

  document.title = i18n.t('title.' + scope);
  $('page-title').textContent = i18n.t('title.' + scope);
  $('dev-banner').textContent = i18n.t('devBanner');
  $('outside-banner').hidden = teams.inTeams;
  $('outside-banner').textContent = i18n.t('outsideTeams');
  $('filter-mine').checked = scope === 'personal';
  list.setUp();
  detail.setUp();
  $('back').addEventListener('click', closeEscalation);
  document.body.dataset.ready = 'true';
  await poll();
}

void start();
