/*
 * One escalation: its fields and response clocks, "Open in chat" (when the server knows a
 * Teams link), one timeline (state changes named as in the chat, and Microsoft's notes, in the
 * order they happened) and its card, read-only.
 */
import { $, el, field, link } from './dom.js';
import { clockList } from './clocks.js';
import { errorFor } from './api.js';
import { renderCard } from './card.js';
import { stateBadge } from './escalations.js';

/** The detail view over the shared page state `page`. */
export function escalationDetail(page) {
  const { i18n } = page;
  const detail = { id: undefined, etag: undefined, body: undefined };

  function actorName(actor) {
    if (!actor) return i18n.t('none');
    if (actor.kind === 'system') return i18n.t('actor.system');
    if (actor.kind === 'microsoft') return actor.name || i18n.t('actor.microsoft');
    return actor.name || actor.id;
  }

  /** State changes and Microsoft's notes, oldest first. */
  function timelineEntries(body) {
    const notes = (body.escalation.details && Array.isArray(body.escalation.details.microsoftNotes)) ? body.escalation.details.microsoftNotes : [];
    const entries = body.audit.map((event, i) => ({
      at: event.at,
      i,
      what: event.from ? i18n.t('moved', { from: i18n.state(event.from), to: i18n.state(event.to) }) : i18n.t('created', { to: i18n.state(event.to) }),
      who: i18n.t('by', { actor: actorName(event.actor) }),
      reason: event.reason ? i18n.t('reason', { reason: event.reason }) : undefined,
    }));
    notes.forEach((note, i) => entries.push({
      at: note.createdDate || '',
      i: body.audit.length + i,
      what: i18n.t('microsoftNote', { author: note.createdByName || i18n.t('actor.microsoft') }),
      note: note.text,
    }));
    const when = (at) => (isNaN(Date.parse(at)) ? Infinity : Date.parse(at));
    return entries.sort((a, b) => when(a.at) - when(b.at) || a.i - b.i);
  }

  function render(body) {
    const e = body.escalation;
    const s = e.summary;
    $('detail-title').textContent = e.title;
    const fields = $('detail-fields');
    fields.replaceChildren();
    const none = i18n.t('none');
    const f = (name, value) => field(fields, i18n.t('fields.' + name), value, none);
    f('id', e.id);
    f('customer', e.customer.name + (e.customer.domain ? ' (' + e.customer.domain + ')' : ''));
    f('service', e.service);
    f('state', stateBadge(i18n, e.state));
    f('request', s.serviceRequestId);
    f('owner', s.owner);
    f('opened', i18n.when(e.createdAt) + ' (' + i18n.age(e.createdAt) + ')');
    f('updated', i18n.when(e.updatedAt));
    f('clocks', clockList(i18n, s.clocks, el) || i18n.t('clocksNone'));
    f('description', e.description);

    const chat = $('chat-link');
    chat.replaceChildren();
    if (body.chatUrl) chat.appendChild(link(body.chatUrl, i18n.t('openInChat'), page.openLink));
    chat.hidden = !body.chatUrl;

    const timeline = $('timeline');
    timeline.replaceChildren();
    timelineEntries(body).forEach((entry) => {
      const li = el('li', entry.note === undefined ? 'change' : 'note');
      li.appendChild(el('span', 'when', i18n.when(entry.at)));
      li.appendChild(el('span', 'what', entry.what));
      if (entry.who) li.appendChild(el('span', 'who', entry.who));
      if (entry.reason) li.appendChild(el('span', 'reason', entry.reason));
      if (entry.note !== undefined) li.appendChild(el('span', 'note-text', entry.note));
      timeline.appendChild(li);
    });
  }

  async function loadCard(id) {
    const host = $('card');
    host.replaceChildren(el('p', 'muted', i18n.t('cardLoading')));
    const res = await page.getJson('/api/escalations/' + encodeURIComponent(id) + '/card?locale=' + encodeURIComponent(i18n.locale));
    if (detail.id !== id) return;
    try {
      const rendered = res.status === 200 && res.body ? renderCard(res.body.card, page.theme()) : undefined;
      host.replaceChildren(rendered || el('p', 'error', i18n.t('cardFailed')));
    } catch (e) {
      host.replaceChildren(el('p', 'error', i18n.t('cardFailed')));
    }
  }

  /** Loads (or, polling, reloads if changed) the open escalation. */
  async function load(poll) {
    const id = detail.id;
    const res = await page.getJson('/api/escalations/' + encodeURIComponent(id), poll ? detail.etag : undefined);
    if (detail.id !== id) return;
    if (res.status === 304) { if (detail.body) render(detail.body); return; }
    if (res.status !== 200 || !res.body) { page.showError(errorFor(i18n, res.status)); return; }
    page.showError('');
    detail.etag = res.etag;
    detail.body = res.body;
    render(res.body);
    await loadCard(id);
  }

  async function open(id) {
    detail.id = id;
    detail.etag = undefined;
    detail.body = undefined;
    $('detail-title').textContent = '';
    $('detail-fields').replaceChildren();
    $('timeline').replaceChildren();
    $('chat-link').hidden = true;
    await load(false);
    $('back').focus();
  }

  function close() { detail.id = undefined; }

  function setUp() {
    $('back').textContent = i18n.t('back');
    $('timeline-heading').textContent = i18n.t('timeline');
    $('card-heading').textContent = i18n.t('card');
    $('card-note').textContent = i18n.t('cardReadOnly');
  }

  return { open, close, load, setUp, current: () => detail.id };
}
