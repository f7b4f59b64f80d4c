/*
 * The Incidents view (TAB-CONTRACT.md §2): Microsoft incidents across the partner's customers
 * with how many customers each reached and were told; one incident with its affected
 * customers (since when, who told them and when, their escalations), one timeline and the
 * post-incident review's link once Microsoft publishes it.
 */
import { $, cell, el, field, link } from './dom.js';
import { errorFor } from './api.js';

const COLUMNS = ['id', 'title', 'service', 'status', 'affected', 'told', 'escalations', 'updated'];

/** The incidents view over the shared page state `page` ({ i18n, getJson, showError, openEscalation, openLink }). */
export function incidentsView(page) {
  const { i18n } = page;
  const t = (key, values) => i18n.t('incidents.' + key, values);
  const view = { etag: undefined, key: '', items: [], selectedId: undefined, detailEtag: undefined };

  function renderList() {
    const body = $('incident-list-body');
    body.replaceChildren();
    const label = (c) => t('columns.' + c);
    view.items.forEach((item) => {
      const row = el('tr');
      row.dataset.id = item.id;
      const open = el('button', 'open-link', item.title);
      open.type = 'button';
      open.addEventListener('click', () => { void openIncident(item.id); });
      row.appendChild(cell('id', label('id'), item.id));
      row.appendChild(cell('title', label('title'), open));
      row.appendChild(cell('service', label('service'), item.service));
      row.appendChild(cell('status', label('status'), i18n.healthStatus(item.status)));
      row.appendChild(cell('affected', label('affected'), t('affected', { count: item.affectedCount })));
      const told = cell('told', label('told'), t('told', { told: item.toldCount, affected: item.affectedCount }));
      if (item.toldCount < item.affectedCount) told.classList.add('untold');
      row.appendChild(told);
      row.appendChild(cell('escalations', label('escalations'), t('escalations', { count: item.openEscalationCount })));
      row.appendChild(cell('updated', label('updated'), i18n.when(item.lastUpdatedAt)));
      body.appendChild(row);
    });
    $('incident-list').hidden = view.items.length === 0;
    $('incident-status').textContent = view.items.length === 0 ? t('empty') : t('count', { count: view.items.length, time: i18n.now() });
  }

  async function loadList() {
    const path = '/api/incidents?limit=100&state=' + encodeURIComponent($('incident-filter').value || 'open');
    const res = await page.getJson(path, path === view.key ? view.etag : undefined);
    if (res.status === 304) return;
    if (res.status !== 200 || !res.body) { page.showError(errorFor(i18n, res.status)); return; }
    page.showError('');
    view.key = path;
    view.etag = res.etag;
    view.items = res.body.incidents || [];
    renderList();
  }

  function customerItem(c) {
    const li = el('li', 'customer-item');
    li.dataset.tenant = c.tenantId;
    li.appendChild(el('span', 'customer-name', c.name));
    li.appendChild(el('span', 'muted', c.goneSince ? t('customerGone', { time: i18n.when(c.goneSince) }) : t('customerSince', { time: i18n.when(c.firstSeenAt) })));
    li.appendChild(el('span', c.told ? 'told' : 'untold', c.told ? t('toldBy', { time: i18n.when(c.told.at), name: c.told.by }) : t('notTold')));
    const escalations = el('span', 'customer-escalations');
    if (!c.escalations || c.escalations.length === 0) escalations.textContent = t('noEscalations');
    (c.escalations || []).forEach((e) => {
      const open = el('button', 'open-link', e.id + ' · ' + e.title + ' (' + i18n.state(e.state) + ')');
      open.type = 'button';
      open.addEventListener('click', () => { void page.openEscalation(e.id); });
      escalations.appendChild(open);
    });
    li.appendChild(escalations);
    return li;
  }

  function timelineItem(entry) {
    const li = el('li', 'kind-' + entry.kind);
    li.appendChild(el('span', 'when', i18n.when(entry.at)));
    const kind = t('kinds.' + entry.kind);
    if (entry.kind === 'status' || entry.kind === 'resolved') {
      li.appendChild(el('span', 'what', t('statusValue', { kind, value: i18n.healthStatus(entry.text) })));
    } else if (entry.kind === 'post') {
      li.appendChild(el('span', 'what', kind));
      li.appendChild(el('span', 'note-text', entry.text));
    } else {
      li.appendChild(el('span', 'what', t('statusValue', { kind, value: entry.text })));
      if (entry.actor) li.appendChild(el('span', 'who', i18n.t('by', { actor: entry.actor })));
    }
    return li;
  }

  function renderDetail(incident) {
    $('incident-title').textContent = incident.title;
    const fields = $('incident-fields');
    fields.replaceChildren();
    const f = (name, value) => field(fields, t('fields.' + name), value, i18n.t('none'));
    f('id', incident.id);
    f('service', incident.service);
    // Microsoft writes it "Incident" or "Advisory" (PascalCase in real payloads).
    const kind = String(incident.classification || '').toLowerCase();
    f('classification', kind === 'incident' || kind === 'advisory' ? t('classification.' + kind) : incident.classification);
    f('status', i18n.healthStatus(incident.status));
    f('started', i18n.when(incident.startedAt));
    f('ended', incident.endedAt ? i18n.when(incident.endedAt) : '');
    f('updated', i18n.when(incident.lastUpdatedAt));
    f('impact', incident.impact);
    f('review', incident.postIncidentReviewUrl ? link(incident.postIncidentReviewUrl, t('reviewLink'), page.openLink) : t('noReview'));
    $('incident-customers-heading').textContent = t('customersHeading') + ' · ' + t('told', { told: incident.toldCount, affected: incident.affectedCount });
    $('incident-customers').replaceChildren(...(incident.customers || []).map(customerItem));
    $('incident-timeline').replaceChildren(...(incident.timeline || []).map(timelineItem));
  }

  async function loadDetail(poll) {
    const id = view.selectedId;
    const res = await page.getJson('/api/incidents/' + encodeURIComponent(id), poll ? view.detailEtag : undefined);
    if (view.selectedId !== id || res.status === 304) return;
    if (res.status !== 200 || !res.body) { page.showError(errorFor(i18n, res.status)); return; }
    page.showError('');
    view.detailEtag = res.etag;
    renderDetail(res.body.incident);
  }

  async function openIncident(id) {
    view.selectedId = id;
    view.detailEtag = undefined;
    $('incident-list-view').hidden = true;
    $('incident-detail-view').hidden = false;
    $('incident-title').textContent = '';
    $('incident-fields').replaceChildren();
    await loadDetail(false);
    $('incident-back').focus();
  }

  function closeIncident() {
    view.selectedId = undefined;
    $('incident-detail-view').hidden = true;
    $('incident-list-view').hidden = false;
    void loadList();
  }

  function setUp() {
    $('incident-heading').textContent = t('heading');
    $('incident-filter-label').textContent = t('filterLabel');
    $('incident-filter').replaceChildren(new Option(t('open'), 'open'), new Option(t('all'), 'all'));
    $('incident-filter').addEventListener('change', () => { void loadList(); });
    $('incident-back').textContent = t('back');
    $('incident-back').addEventListener('click', closeIncident);
    $('incident-timeline-heading').textContent = t('timelineHeading');
    const head = $('incident-list-head');
    head.replaceChildren(...COLUMNS.map((c) => el('th', 'col-' + c, t('columns.' + c))));
  }

  /** Reloads whatever of the view is on screen. */
  function poll() { return view.selectedId ? loadDetail(true) : loadList(); }

  return { setUp, poll, open: openIncident };
}
