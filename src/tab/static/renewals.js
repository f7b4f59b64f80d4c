/*
 * "GDAP ending soon" (TAB-CONTRACT.md §4): the partner's GDAP relationships that end within
 * 30 days and do not extend themselves, above the escalations. Nothing shows when there are
 * none, when the deployment reads no GDAP, or when the list cannot be read just now.
 */
import { $, el } from './dom.js';

/** Loads the renewals into the section `#renewals` (hidden when empty). */
export function renewalsView(page) {
  const { i18n } = page;
  const t = (key, values) => i18n.t('renewals.' + key, values);
  const view = { etag: undefined };

  async function load() {
    const res = await page.getJson('/api/access/renewals', view.etag);
    if (res.status === 304) return;
    const renewals = res.status === 200 && res.body && Array.isArray(res.body.renewals) ? res.body.renewals : [];
    view.etag = res.status === 200 ? res.etag : undefined;
    const list = $('renewals-list');
    list.replaceChildren(...renewals
      .slice()
      .sort((a, b) => Date.parse(a.endsAt) - Date.parse(b.endsAt))
      .map((r) => {
        const values = { customer: r.customer.name, relationship: r.relationship, date: i18n.date(r.endsAt), days: r.daysLeft };
        const li = el('li', r.daysLeft <= 7 ? 'renewal urgent' : 'renewal', r.daysLeft <= 0 ? t('today', values) : t('row', values));
        li.dataset.tenant = r.customer.tenantId;
        return li;
      }));
    $('renewals').hidden = renewals.length === 0;
  }

  function setUp() {
    $('renewals-heading').textContent = t('heading');
    $('renewals-intro').textContent = t('intro');
  }

  return { setUp, load };
}
