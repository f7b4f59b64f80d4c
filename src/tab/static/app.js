/*
 * The tab's entry. Starts Teams (theme, locale, the sub-page a deep link names), loads the
 * strings for the reader's language, wires the views (escalations with one escalation and the
 * GDAP renewals; incidents; reports) and polls the one on screen every 10 s while the page is
 * visible. Plain browser ES modules (no bundler); all data goes into the page as text.
 */
import { $ } from './dom.js';
import { apiClient, rawClient } from './api.js';
import { loadI18n } from './i18n.js';
import { applyTheme, initTeams, onThemeChange, openLinkFor } from './teams.js';
import { useTeamsMarkdown } from './card.js';
import { escalationList } from './escalations.js';
import { escalationDetail } from './escalation-detail.js';
import { incidentsView } from './incidents.js';
import { reportsView } from './reports.js';
import { renewalsView } from './renewals.js';

const POLL_MS = 10000;
const VIEWS = ['escalations', 'incidents', 'reports'];

/** Where a deep link asks to start: `?incident=<id>` / `?view=…` here, `incident:<id>` / `incidents` from Teams. */
function startingPoint(query, subPageId) {
  const sub = String(subPageId || '');
  if (sub.startsWith('incident:')) return { view: 'incidents', incident: sub.slice('incident:'.length) };
  if (query.get('incident')) return { view: 'incidents', incident: query.get('incident') };
  const named = sub && VIEWS.includes(sub) ? sub : query.get('view');
  return { view: VIEWS.includes(named) ? named : 'escalations' };
}

async function start() {
  useTeamsMarkdown();
  const query = new URLSearchParams(window.location.search);
  const teams = await initTeams();
  let theme = applyTheme(teams.inTeams ? teams.theme : query.get('theme') || 'default');
  onThemeChange((name) => { theme = applyTheme(name); });
  const i18n = await loadI18n(teams.locale || navigator.language || 'en');
  document.documentElement.lang = i18n.language;
  const scope = teams.team || query.get('scope') === 'team' ? 'team' : 'personal';
  let current = 'escalations';

  const page = {
    i18n,
    scope,
    getJson: apiClient(teams.inTeams),
    fetchRaw: rawClient(teams.inTeams),
    openLink: openLinkFor(teams.inTeams),
    theme: () => theme,
    showError(text) {
      $('error').textContent = text || '';
      $('error').hidden = !text;
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
  const incidents = incidentsView(page);
  const reports = reportsView(page);
  const renewals = renewalsView(page);

  function show(view) {
    current = view;
    VIEWS.forEach((name) => {
      $('view-' + name).hidden = name !== view;
      $('nav-' + name).setAttribute('aria-current', name === view ? 'page' : 'false');
    });
  }

  async function openEscalation(id) {
    show('escalations');
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

  /** Reloads what is on screen. */
  async function refresh() {
    if (current === 'incidents') await incidents.poll();
    else if (current === 'reports') await reports.poll();
    else if (detail.current()) await detail.load(true);
    else await Promise.all([list.load(), renewals.load()]);
  }

  async function poll() {
    try {
      if (!document.hidden) await refresh();
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
  $('nav').setAttribute('aria-label', i18n.t('nav.label'));
  $('filter-mine').checked = scope === 'personal';
  VIEWS.forEach((name) => {
    $('nav-' + name).textContent = i18n.t('nav.' + name);
    $('nav-' + name).addEventListener('click', () => {
      show(name);
      page.showError('');
      void refresh();
    });
  });
  list.setUp();
  detail.setUp();
  incidents.setUp();
  reports.setUp();
  renewals.setUp();
  $('back').addEventListener('click', closeEscalation);

  const first = startingPoint(query, teams.subPageId);
  show(first.view);
  if (first.incident) await incidents.open(first.incident);
  document.body.dataset.ready = 'true';
  await poll();
}

void start();
