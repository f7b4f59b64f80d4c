/*
 * "My escalations": lists the partner's escalations, filters them, and shows one with its
 * timeline and its card. Plain browser JavaScript (no bundler). All data goes into the page
 * through textContent, never innerHTML.
 */
(function () {
  'use strict';

  var POLL_MS = 10000;
  var INIT_TIMEOUT_MS = 2000;
  var STATES = ['draft', 'known_issue', 'triage', 'not_warranted', 'awaiting_handoff', 'escalated',
    'attention_needed', 'resolved', 'customer_notified', 'closed', 'cancelled'];

  var query = new URLSearchParams(window.location.search);
  var view = {
    strings: {},
    inTeams: false,
    scope: query.get('scope') === 'team' ? 'team' : 'personal',
    identity: undefined,
    listEtag: undefined,
    listKey: '',
    items: [],
    nextCursor: undefined,
    customers: new Map(),
    selectedId: undefined,
    detailEtag: undefined,
    cardFor: undefined,
    timer: undefined,
  };

  function $(id) { return document.getElementById(id); }

  /** A string from strings.json by dotted path, with {name} placeholders filled. */
  function t(path, values) {
    var node = path.split('.').reduce(function (n, k) { return n && typeof n === 'object' ? n[k] : undefined; }, view.strings);
    var text = typeof node === 'string' ? node : path;
    return text.replace(/\{(\w+)\}/g, function (m, k) { return values && values[k] !== undefined ? String(values[k]) : m; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error('timed out')); }, ms);
      Promise.resolve(promise).then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function applyTheme(theme) {
    var name = theme === 'dark' ? 'theme-dark' : theme === 'contrast' ? 'theme-contrast' : 'theme-default';
    document.body.classList.remove('theme-default', 'theme-dark', 'theme-contrast');
    document.body.classList.add(name);
    view.theme = name;
  }

  /** Starts the Teams SDK first of all; outside Teams it fails or hangs, so give up after 2 s. */
  async function initTeams() {
    var sdk = window.microsoftTeams;
    if (!sdk || !sdk.app) return false;
    try {
      await withTimeout(sdk.app.initialize(), INIT_TIMEOUT_MS);
    } catch (e) {
      return false;
    }
    try {
      var context = await withTimeout(sdk.app.getContext(), INIT_TIMEOUT_MS);
      applyTheme(context && context.app ? context.app.theme : 'default');
      if (context && context.team) view.scope = 'team';
      sdk.app.registerOnThemeChangeHandler(applyTheme);
    } catch (e) {
      // No context: keep the default theme; the data still loads.
    }
    return true;
  }

  async function authHeaders() {
    if (!view.inTeams) return {};
    var token = await window.microsoftTeams.authentication.getAuthToken();
    return { Authorization: 'Bearer ' + token };
  }

  /** GET JSON from the API; resolves { status, body, etag }; 304 has no body. */
  async function getJson(path, etag) {
    var headers = await authHeaders();
    if (etag) headers['If-None-Match'] = etag;
    var res = await fetch(path, { headers: headers, cache: 'no-store', credentials: 'same-origin' });
    var body;
    if (res.status !== 304) {
      try { body = await res.json(); } catch (e) { body = undefined; }
    }
    return { status: res.status, body: body, etag: res.headers.get('ETag') || undefined };
  }

  function showError(text) {
    var node = $('error');
    node.textContent = text || '';
    node.hidden = !text;
  }

  function errorFor(status) {
    if (status === 401) return t('signInNeeded');
    if (status === 403) return t('forbidden');
    if (status === 404) return t('notFound');
    return t('loadFailed');
  }

  function showIdentity(identity) {
    view.identity = identity;
    $('dev-banner').hidden = !(identity && identity.development);
    $('dev-banner').textContent = t('devBanner');
    $('who').textContent = identity && identity.name ? t('signedInAs', { name: identity.name }) : '';
    $('mine-wrap').hidden = !(view.scope === 'personal' && identity && !identity.development);
  }

  function age(iso) {
    var minutes = Math.floor((Date.now() - Date.parse(iso)) / 60000);
    if (!(minutes >= 1)) return t('age.now');
    if (minutes < 60) return t('age.minutes', { n: minutes });
    if (minutes < 48 * 60) return t('age.hours', { n: Math.floor(minutes / 60) });
    return t('age.days', { n: Math.floor(minutes / 1440) });
  }

  var dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
  function when(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? String(iso) : dateFormat.format(d); }

  function stateBadge(state) { return el('span', 'state state-' + state, t('states.' + state)); }

  // ---- list -------------------------------------------------------------------------------

  function listQuery(cursor) {
    var params = new URLSearchParams();
    var state = $('filter-state').value;
    var customer = $('filter-customer').value;
    if (state) params.set('state', state);
    if (customer) params.set('customer', customer);
    if (!$('mine-wrap').hidden && $('filter-mine').checked) params.set('mine', '1');
    if (cursor) params.set('cursor', cursor);
    var text = params.toString();
    return '/api/escalations' + (text ? '?' + text : '');
  }

  function renderCustomerOptions() {
    var select = $('filter-customer');
    var current = select.value;
    var names = Array.from(view.customers.entries()).sort(function (a, b) { return a[1].localeCompare(b[1]); });
    select.replaceChildren(new Option(t('filters.allCustomers'), ''));
    names.forEach(function (entry) { select.appendChild(new Option(entry[1], entry[0])); });
    select.value = current;
  }

  function renderList() {
    var body = $('list-body');
    body.replaceChildren();
    view.items.forEach(function (item) {
      var row = el('tr');
      row.dataset.id = item.id;
      var open = el('button', 'open-link', item.title);
      open.type = 'button';
      open.addEventListener('click', function () { void openDetail(item.id); });
      var first = el('td'); first.appendChild(open); row.appendChild(first);
      row.appendChild(el('td', 'customer', item.customer.name));
      row.appendChild(el('td', 'service', item.service));
      var stateCell = el('td', 'state-cell'); stateCell.appendChild(stateBadge(item.state)); row.appendChild(stateCell);
      row.appendChild(el('td', 'request', item.serviceRequestId || t('none')));
      var ageCell = el('td', 'age', age(item.createdAt)); ageCell.title = when(item.createdAt); row.appendChild(ageCell);
      row.appendChild(el('td', 'owner', item.owner));
      body.appendChild(row);
    });
    $('list').hidden = view.items.length === 0;
    $('more').hidden = !view.nextCursor;
    $('list-status').textContent = view.items.length === 0
      ? t('empty')
      : t('count', { count: view.items.length, time: new Intl.DateTimeFormat('en', { timeStyle: 'medium' }).format(new Date()) });
  }

  /** Loads the first page (again); unchanged data answers 304 and nothing is redrawn. */
  async function loadList() {
    var path = listQuery();
    var sameQuery = path === view.listKey;
    var res = await getJson(path, sameQuery ? view.listEtag : undefined);
    if (res.status === 304) { renderList(); return; }
    if (res.status !== 200 || !res.body) { showError(errorFor(res.status)); return; }
    showError('');
    showIdentity(res.body.identity);
    view.listKey = path;
    view.listEtag = res.etag;
    view.items = res.body.items;
    view.nextCursor = res.body.nextCursor;
    var before = view.customers.size;
    view.items.forEach(function (item) { view.customers.set(item.customer.tenantId, item.customer.name); });
    if (view.customers.size !== before) renderCustomerOptions();
    renderList();
  }

  async function loadMore() {
    if (!view.nextCursor) return;
    var res = await getJson(listQuery(view.nextCursor));
    if (res.status !== 200 || !res.body) { showError(errorFor(res.status)); return; }
    view.items = view.items.concat(res.body.items);
    view.nextCursor = res.body.nextCursor;
    renderList();
  }

  // ---- detail -----------------------------------------------------------------------------

  function field(list, name, value) {
    list.appendChild(el('dt', '', t('fields.' + name)));
    var dd = el('dd');
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value === undefined || value === null || value === '' ? t('none') : String(value);
    list.appendChild(dd);
  }

  function actorName(actor) {
    if (!actor) return t('none');
    if (actor.kind === 'system') return t('actor.system');
    if (actor.kind === 'microsoft') return t('actor.microsoft');
    return actor.name || actor.id;
  }

  function renderDetail(body) {
    var e = body.escalation;
    var s = e.summary;
    $('detail-title').textContent = e.title;
    var fields = $('detail-fields');
    fields.replaceChildren();
    field(fields, 'customer', e.customer.name + (e.customer.domain ? ' (' + e.customer.domain + ')' : ''));
    field(fields, 'service', e.service);
    field(fields, 'state', stateBadge(e.state));
    field(fields, 'request', s.serviceRequestId);
    field(fields, 'owner', s.owner);
    field(fields, 'opened', when(e.createdAt) + ' (' + age(e.createdAt) + ')');
    field(fields, 'updated', when(e.updatedAt));
    field(fields, 'description', e.description);

    var timeline = $('timeline');
    timeline.replaceChildren();
    body.audit.forEach(function (event) {
      var li = el('li');
      li.appendChild(el('span', 'when', when(event.at)));
      li.appendChild(el('span', 'what', event.from
        ? t('moved', { from: t('states.' + event.from), to: t('states.' + event.to) })
        : t('created', { to: t('states.' + event.to) })));
      li.appendChild(el('span', 'who', t('by', { actor: actorName(event.actor) })));
      if (event.reason) li.appendChild(el('span', 'reason', ' — ' + t('reason', { reason: event.reason })));
      timeline.appendChild(li);
    });
  }

  function hostConfig() {
    var dark = view.theme === 'theme-dark' || view.theme === 'theme-contrast';
    var fg = dark ? '#FFFFFF' : '#242424';
    return new AdaptiveCards.HostConfig({
      fontFamily: '"Segoe UI", system-ui, sans-serif',
      containerStyles: {
        default: { backgroundColor: dark ? (view.theme === 'theme-contrast' ? '#000000' : '#292929') : '#FFFFFF', foregroundColors: { default: { default: fg, subtle: dark ? '#ADADAD' : '#616161' } } },
        emphasis: { backgroundColor: dark ? '#333333' : '#F5F5F5', foregroundColors: { default: { default: fg, subtle: dark ? '#ADADAD' : '#616161' } } },
      },
    });
  }

  /**
   * Card text is markdown in Teams: the subset the Adaptive Cards documentation lists for Teams
   * (bold, italic, lists, links, bare URLs linked), no raw HTML, no backslash escapes. Without
   * it the SDK shows the markup itself.
   */
  function useTeamsMarkdown() {
    if (!window.markdownit || !window.AdaptiveCards) return;
    var md = window.markdownit('zero', { html: false, linkify: true, breaks: true })
      .enable(['emphasis', 'link', 'list', 'linkify', 'newline']);
    AdaptiveCards.AdaptiveCard.onProcessMarkdown = function (text, result) {
      result.outputHtml = md.render(text);
      result.didProcess = true;
    };
  }

  async function loadCard(id) {
    var host = $('card');
    var note = $('card-note');
    note.hidden = true;
    host.replaceChildren(el('p', 'muted', t('cardLoading')));
    var res = await getJson('/api/escalations/' + encodeURIComponent(id) + '/card?locale=en-US');
    if (view.selectedId !== id) return;
    if (res.status !== 200 || !res.body || !window.AdaptiveCards) { host.replaceChildren(el('p', 'error', t('cardFailed'))); return; }
    try {
      var card = new AdaptiveCards.AdaptiveCard();
      card.hostConfig = hostConfig();
      card.onExecuteAction = function () { note.textContent = t('cardActions'); note.hidden = false; };
      card.parse(res.body.card);
      var rendered = card.render();
      host.replaceChildren(rendered || el('p', 'error', t('cardFailed')));
      view.cardFor = id;
    } catch (e) {
      host.replaceChildren(el('p', 'error', t('cardFailed')));
    }
  }

  async function loadDetail(id, poll) {
    var res = await getJson('/api/escalations/' + encodeURIComponent(id), poll ? view.detailEtag : undefined);
    if (view.selectedId !== id || res.status === 304) return;
    if (res.status !== 200 || !res.body) { showError(errorFor(res.status)); return; }
    showError('');
    view.detailEtag = res.etag;
    renderDetail(res.body);
    await loadCard(id);
  }

  async function openDetail(id) {
    view.selectedId = id;
    view.detailEtag = undefined;
    $('list-view').hidden = true;
    $('detail-view').hidden = false;
    $('detail-title').textContent = '';
    $('detail-fields').replaceChildren();
    $('timeline').replaceChildren();
    await loadDetail(id, false);
    $('back').focus();
  }

  function closeDetail() {
    view.selectedId = undefined;
    $('detail-view').hidden = true;
    $('list-view').hidden = false;
    void loadList();
  }

  // ---- polling ----------------------------------------------------------------------------

  async function poll() {
    try {
      if (!document.hidden) {
        if (view.selectedId) await loadDetail(view.selectedId, true);
        else await loadList();
      }
    } catch (e) {
      showError(t('loadFailed'));
    }
    view.timer = setTimeout(poll, POLL_MS);
  }

  // ---- start ------------------------------------------------------------------------------

  function staticTexts() {
    document.title = t('title.' + view.scope);
    $('page-title').textContent = t('title.' + view.scope);
    $('label-state').textContent = t('filters.state');
    $('label-customer').textContent = t('filters.customer');
    $('label-mine').textContent = t('filters.mine');
    $('more').textContent = t('more');
    $('back').textContent = t('back');
    $('timeline-heading').textContent = t('timeline');
    $('card-heading').textContent = t('card');
    var head = $('list-head');
    head.replaceChildren();
    ['title', 'customer', 'service', 'state', 'request', 'age', 'owner'].forEach(function (c) { head.appendChild(el('th', '', t('columns.' + c))); });
    var state = $('filter-state');
    state.replaceChildren(new Option(t('filters.allStates'), ''), new Option(t('filters.openStates'), 'open'));
    STATES.forEach(function (s) { state.appendChild(new Option(t('states.' + s), s)); });
    renderCustomerOptions();
  }

  async function start() {
    useTeamsMarkdown();
    view.inTeams = await initTeams();
    if (!view.inTeams) applyTheme(query.get('theme') || 'default');
    try {
      var res = await fetch('/tab/strings.json', { cache: 'no-cache' });
      view.strings = await res.json();
    } catch (e) {
      view.strings = {};
    }
    $('outside-banner').hidden = view.inTeams;
    $('outside-banner').textContent = t('outsideTeams');
    $('filter-mine').checked = view.scope === 'personal';
    staticTexts();
    $('filters').addEventListener('change', function () { void loadList(); });
    $('filters').addEventListener('submit', function (event) { event.preventDefault(); });
    $('more').addEventListener('click', function () { void loadMore(); });
    $('back').addEventListener('click', closeDetail);
    document.body.dataset.ready = 'true';
    await poll();
  }

  void start();
})();
