/* DOM helpers: every piece of data goes into the page through textContent, never innerHTML. */

/** The element with this id. */
export function $(id) { return document.getElementById(id); }

/** A new element with a class and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A table cell that also names its column (the stacked layout of narrow screens shows it). */
export function cell(className, label, content) {
  const td = el('td', className);
  td.dataset.label = label;
  if (content instanceof Node) td.appendChild(content);
  else td.textContent = content === undefined || content === null ? '' : String(content);
  return td;
}

/** A term and its description in a <dl>; an empty value shows the "none" mark. */
export function field(list, label, value, none) {
  list.appendChild(el('dt', '', label));
  const dd = el('dd');
  if (value instanceof Node) dd.appendChild(value);
  else dd.textContent = value === undefined || value === null || value === '' ? none : String(value);
  list.appendChild(dd);
}

/** A link opened by Teams (deep links) or a new browser tab; only https links (anything else shows as text). */
export function link(href, text, openLink) {
  if (!/^https:\/\//i.test(String(href || ''))) return el('span', '', text);
  const a = el('a', 'link', text);
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  if (openLink) {
    a.addEventListener('click', (event) => {
      event.preventDefault();
      openLink(href);
    });
  }
  return a;
}
