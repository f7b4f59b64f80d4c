/**
 * What people submit is cleaned once, at the edge, before any handler reads it: control
 * characters (other than line breaks and tabs), bidirectional overrides that can disguise text,
 * byte-order marks and unpaired surrogates are dropped, and line breaks become `\n`. No one
 * types them on purpose, they carry nothing a support request needs, and each one grows a
 * card's JSON by six bytes (`\u0007`), which pushed cards past Teams' size limit.
 */

/** C0 and C1 controls except tab and line feed, bidi embeddings, overrides and isolates, BOM. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNWANTED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** A surrogate without its pair: not a character at all. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without characters nobody types on purpose. */
export function cleanText(text: string): string {
  return text.replace(LONE_SURROGATE, '').replace(/\r\n?/g, '\n').replace(UNWANTED, '');
}

/** Submitted card data with every string value cleaned (nested objects and arrays too). */
export function cleanData(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanData);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, cleanData(v)]));
  }
  return value;
}
