/*
 * The escalations list: filters, the rows (ID, title, customer, service, state, Microsoft
 * request, age, owner, response clocks), paging. A table on a wide screen; under 600 px the
 * stylesheet stacks each row as a card, each cell naming its column.
 */
import { $, cell, el } from './dom.js';
import { clockList } from './clocks.js';
import { errorFor } from './api.js';

export const STATES = ['draft', 'known_issue', 'triage', 'not_warranted', 'awaiting_handoff', 'escalated',
  'attention_needed', 'resolved', 'customer_notified', 'closed', 'cancelled'];
const COLUMNS = ['id', 'title', 'customer', 'service', 'state', 'request', 'age', 'owner', 'clocks'];

/** The state badge. */
export function stateBadge(i18n, state) { return el('span', 'state state-' + state, i18n.state(state)); }

/** The list view over the shared page state `page` ({ i18n, getJson, showError, showIdentity, openEscalation }). */
export function escalationList(page) {
  const { i18n } = page;
  const list = { etag: undefined, key: '', items: [], nextCursor: undefined, customers: new Map() };

  function query(cursor) {
    const params = new URLSearchParams();
    const state = $('filter-state').value;
    const customer = $('filter-customer').value;
    if (state) params.set('state', state);
    if (customer) params.set('customer', customer);
    if (!$('mine-wrap').hidden && $('filter-mine').checked) params.set('mine', '1');
    if (cursor) params.set('cursor', cursor);
    const text = params.toString();
    return '/api/escalations' + (text ? '?' + text : '');
  }

  function renderCustomerOptions() {
    const select = $('filter-customer');
    const current = select.value;
    const names = Array.from(list.customers.entries()).sort((a, b) => a[1].localeCompare(b[1]));
    select.replaceChildren(new Option(i18n.t('filters.allCustomers'), ''));
    names.forEach(([id, name]) => select.appendChild(new Option(name, id)));
    select.value = current;
  }

  function render() {
    const body = $('list-body');
    body.replaceChildren();
    const label = (c) => i18n.t('columns.' + c);
    list.items.forEach((item) => {
      const row = el('tr');
      row.dataset.id = item.id;
      const open = el('button', 'open-link', item.title);
      open.type = 'button';
      open.addEventListener('click', () => { void page.openEscalation(item.id); });
      row.appendChild(cell('id', label('id'), item.id));
      row.appendChild(cell('title', label('title'), open));
      row.appendChild(cell('customer', label('customer'), item.customer.name));
      row.appendChild(cell('service', label('service'), item.service));
      row.appendChild(cell('state-cell', label('state'), stateBadge(i18n, item.state)));
      row.appendChild(cell('request', label('request'), item.serviceRequestId || i18n.t('none')));
      const age = cell('age', label('age'), i18n.age(item.createdAt));
      age.title = i18n.when(item.createdAt);
      row.appendChild(age);
      row.appendChild(cell('owner', label('owner'), item.owner));
      const clocks = clockList(i18n, item.clocks, el);
      const clocksCell = cell('clocks-cell', label('clocks'), clocks || '');
      if (!clocks) clocksCell.classList.add('empty');
      row.appendChild(clocksCell);
      body.appendChild(row);
    });
    // The clocks column only when some row has a clock (none before a request is linked).
    $('list').classList.toggle('no-clocks', !list.items.some((item) => Array.isArray(item.clocks) && item.clocks.length > 0));
    $('list').hidden = list.items.length === 0;
    $('more').hidden = !list.nextCursor;
    $('list-status').textContent = list.items.length === 0 ? i18n.t('empty') : i18n.t('count', { count: list.items.length, time: i18n.now() });
  }

  /** Loads the first page (again); unchanged data answers 304 and only the clocks are redrawn. */
  async function load() {
    const path = query();
    const res = await page.getJson(path, path === list.key ? list.etag : undefined);
    if (res.status === 304) { render(); return; }
    if (res.status !== 200 || !res.body) { page.showError(errorFor(i18n, res.status)); return; }
    page.showError('');
    page.showIdentity(res.body.identity);
    list.key = path;
    list.etag = res.etag;
    list.items = res.body.items;
    list.nextCursor = res.body.nextCursor;
    const before = list.customers.size;
    list.items.forEach((item) => list.customers.set(item.customer.tenantId, item.customer.name));
    if (list.customers.size !== before) renderCustomerOptions();
    render();
  }

  async function loadMore() {
    if (!list.nextCursor) return;
    const res = await page.getJson(query(list.nextCursor));
    if (res.status !== 200 || !res.body) { page.showError(errorFor(i18n, res.status)); return; }
    list.items = list.items.concat(res.body.items);
    list.nextCursor = res.body.nextCursor;
    render();
  }

  /** The list's fixed texts, filters and events. */
  function setUp() {
    $('label-state').textContent = i18n.t('filters.state');
    $('label-customer').textContent = i18n.t('filters.customer');
    $('label-mine').textContent = i18n.t('filters.mine');
    $('more').textContent = i18n.t('more');
    const head = $('list-head');
    head.replaceChildren();
    COLUMNS.forEach((c) => head.appendChild(el('th', 'col-' + c, i18n.t('columns.' + c))));
    const state = $('filter-state');
    state.replaceChildren(new Option(i18n.t('filters.allStates'), ''), new Option(i18n.t('filters.openStates'), 'open'));
    STATES.forEach((s) => state.appendChild(new Option(i18n.state(s), s)));
    renderCustomerOptions();
    $('filters').addEventListener('change', () => { void load(); });
    $('filters').addEventListener('submit', (event) => event.preventDefault());
    $('more').addEventListener('click', () => { void loadMore(); });
  }

  return { load, setUp };
}
