/*
 * The page's words and formats: strings from locales/ (served by /tab/strings.json for the
 * reader's language: the `tab` section, the chat's state names and clock texts), times in the
 * reader's time zone and locale.
 */

/** Loads the strings for a locale and returns the helpers the views use. */
export async function loadI18n(locale) {
  let strings = {};
  try {
    const res = await fetch('/tab/strings.json?locale=' + encodeURIComponent(locale || ''), { cache: 'no-cache' });
    strings = await res.json();
  } catch (e) {
    strings = {};
  }
  return createI18n(strings, locale);
}

/** The helpers over loaded strings. */
export function createI18n(strings, locale) {
  const language = strings.language || 'en';
  // Formats follow the reader's locale when it is the language shown (en-GB dates for en-GB), else the language.
  const formatLocale = locale && locale.toLowerCase().startsWith(language) ? locale : language;

  function lookup(path) {
    return path.split('.').reduce((n, k) => (n && typeof n === 'object' ? n[k] : undefined), strings);
  }

  /** A string by dotted path (under `tab` unless it names another section), `{{name}}` filled. */
  function t(path, values) {
    const own = /^(states|clocks|healthStatus)\./.test(path);
    const node = lookup(own ? path : 'tab.' + path);
    const text = typeof node === 'string' ? node : path;
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k) => (values && values[k] !== undefined ? String(values[k]) : m));
  }

  const dateTime = new Intl.DateTimeFormat(formatLocale, { dateStyle: 'medium', timeStyle: 'short' });
  const timeOnly = new Intl.DateTimeFormat(formatLocale, { hour: '2-digit', minute: '2-digit' });
  const dayTime = new Intl.DateTimeFormat(formatLocale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const dateOnly = new Intl.DateTimeFormat(formatLocale, { dateStyle: 'medium' });
  const clockTime = new Intl.DateTimeFormat(formatLocale, { timeStyle: 'medium' });
  const monthYear = new Intl.DateTimeFormat(formatLocale, { year: 'numeric', month: 'long', timeZone: 'UTC' });

  function valid(iso) { const d = new Date(iso); return isNaN(d.getTime()) ? undefined : d; }

  return {
    language,
    locale: formatLocale,
    t,
    state: (s) => t('states.' + s),
    /** Microsoft's service health status (PascalCase in real payloads) as the chat names it. */
    healthStatus: (s) => {
      const key = String(s || '');
      const node = lookup('healthStatus.' + key.charAt(0).toLowerCase() + key.slice(1));
      return typeof node === 'string' ? node : key;
    },
    /** Date and time. */
    when: (iso) => { const d = valid(iso); return d ? dateTime.format(d) : String(iso || ''); },
    /** A time of day if it is today, else the day and time: what a due time reads as. */
    due: (iso) => {
      const d = valid(iso);
      if (!d) return String(iso || '');
      return d.toDateString() === new Date().toDateString() ? timeOnly.format(d) : dayTime.format(d);
    },
    date: (iso) => { const d = valid(iso); return d ? dateOnly.format(d) : String(iso || ''); },
    now: () => clockTime.format(new Date()),
    /** A report's month (YYYY-MM) as the reader names it. */
    month: (ym) => { const d = valid(ym + '-01T00:00:00Z'); return d ? monthYear.format(d) : String(ym || ''); },
    /** A duration in the chat's words ("35 min", "1 h 10 min"). */
    duration: (ms) => {
      const minutes = Math.max(0, Math.floor(ms / 60000));
      const d = Math.floor(minutes / 1440);
      const h = Math.floor((minutes % 1440) / 60);
      const m = minutes % 60;
      if (d > 0) return h > 0 ? t('clocks.duration.daysHours', { d, h }) : t('clocks.duration.days', { d });
      if (h > 0) return m > 0 ? t('clocks.duration.hoursMinutes', { h, m }) : t('clocks.duration.hours', { h });
      return t('clocks.duration.minutes', { m });
    },
    /** How long ago ("3 d"). */
    age: (iso) => {
      const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60000);
      if (!(minutes >= 1)) return t('age.now');
      if (minutes < 60) return t('age.minutes', { n: minutes });
      if (minutes < 48 * 60) return t('age.hours', { n: Math.floor(minutes / 60) });
      return t('age.days', { n: Math.floor(minutes / 1440) });
    },
  };
}
