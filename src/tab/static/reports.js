/*
 * The Reports view (TAB-CONTRACT.md §3): Microsoft's first response per severity (median,
 * 90th percentile, breaches), the partner's own times to tell the customer, breaches per month,
 * for a period; and the same as a CSV download (fetched with the SSO token, saved as a file).
 */
import { $, cell, el } from './dom.js';
import { errorFor } from './api.js';

const PATH = '/api/reports/response-times';

/** The reports view over the shared page state `page` ({ i18n, getJson, fetchRaw, showError }). */
export function reportsView(page) {
  const { i18n } = page;
  const t = (key, values) => i18n.t('reports.' + key, values);
  const view = { etag: undefined, key: '' };

  function query(extra) {
    const params = new URLSearchParams();
    if ($('report-from').value) params.set('from', $('report-from').value);
    if ($('report-to').value) params.set('to', $('report-to').value);
    Object.entries(extra || {}).forEach(([k, v]) => params.set(k, v));
    const text = params.toString();
    return PATH + (text ? '?' + text : '');
  }

  const minutes = (m) => (typeof m === 'number' ? i18n.duration(m * 60000) : t('noValue'));

  /** A table: its head from column keys, one row per item of `rows` (cells from `cellsOf`). */
  function table(id, columns, rows, cellsOf) {
    const node = el('table', 'list stacking report-table');
    node.id = id;
    const headRow = el('tr');
    columns.forEach((c) => headRow.appendChild(el('th', 'col-' + c, t('columns.' + c))));
    const head = el('thead');
    head.appendChild(headRow);
    const body = el('tbody');
    rows.forEach((row) => {
      const tr = el('tr');
      cellsOf(row).forEach((value, i) => tr.appendChild(cell(columns[i], t('columns.' + columns[i]), value)));
      body.appendChild(tr);
    });
    node.append(head, body);
    return node;
  }

  function render(report) {
    $('report-range').textContent = t('range', { from: i18n.date(report.from + 'T12:00:00Z'), to: i18n.date(report.to + 'T12:00:00Z') });
    if (!$('report-from').value) $('report-from').value = report.from;
    if (!$('report-to').value) $('report-to').value = report.to;
    const microsoft = report.microsoft || [];
    $('report-microsoft').replaceChildren(microsoft.length === 0 ? el('p', 'muted', t('empty')) : table('report-microsoft-table',
      ['severity', 'requests', 'responded', 'median', 'p90', 'breaches'], microsoft,
      (r) => [t('severity', { label: r.severity }), r.requests, r.responded, minutes(r.medianMinutes), minutes(r.p90Minutes), r.breaches]));
    const partner = report.partner;
    $('report-partner').replaceChildren(!partner ? el('p', 'muted', t('empty')) : table('report-partner-table',
      ['escalations', 'told', 'median', 'p90', 'breaches'], [partner],
      (r) => [r.escalations, r.told, minutes(r.medianMinutes), minutes(r.p90Minutes), r.breaches]));
    const months = report.months || [];
    $('report-months').replaceChildren(months.length === 0 ? el('p', 'muted', t('empty')) : table('report-months-table',
      ['month', 'microsoftBreaches', 'partnerBreaches'], months,
      (r) => [i18n.month(r.month), r.microsoftBreaches, r.partnerBreaches]));
  }

  async function load() {
    const path = query();
    const res = await page.getJson(path, path === view.key ? view.etag : undefined);
    if (res.status === 304) return;
    if (res.status !== 200 || !res.body) { page.showError(errorFor(i18n, res.status)); return; }
    page.showError('');
    view.key = path;
    view.etag = res.etag;
    render(res.body);
  }

  /** The CSV, fetched with the token (a plain link would carry none inside Teams) and saved. */
  async function downloadCsv() {
    const res = await page.fetchRaw(query({ format: 'csv' }), { Accept: 'text/csv' });
    if (!res.ok) { page.showError(t('csvFailed')); return; }
    const url = URL.createObjectURL(await res.blob());
    const a = el('a');
    a.href = url;
    a.download = 'response-times-' + ($('report-from').value || 'from') + '-' + ($('report-to').value || 'to') + '.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function setUp() {
    $('report-heading').textContent = t('heading');
    $('report-from-label').textContent = t('from');
    $('report-to-label').textContent = t('to');
    $('report-apply').textContent = t('apply');
    $('report-csv').textContent = t('csv');
    $('report-microsoft-heading').textContent = t('microsoftHeading');
    $('report-partner-heading').textContent = t('partnerHeading');
    $('report-months-heading').textContent = t('monthsHeading');
    $('report-form').addEventListener('submit', (event) => { event.preventDefault(); void load(); });
    $('report-csv').addEventListener('click', () => { void downloadCsv(); });
  }

  return { setUp, poll: load };
}
