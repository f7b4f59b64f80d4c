/*
 * Response clocks as the chat words them ("Microsoft · Sev A · first response due 14:20 ·
 * 35 min left"), read on the reader's clock at each redraw from the API's stored times.
 */

const WARN_FRACTION = 0.8;

/** One clock of the API (tab contract) as { text, tone }; tone: running, warning, breached, met, missed. */
export function clockLine(i18n, clock, now = Date.now()) {
  const started = Date.parse(clock.startedAt);
  const due = Date.parse(clock.dueAt);
  const stopped = clock.stoppedAt ? Date.parse(clock.stoppedAt) : undefined;
  let tone;
  if (stopped !== undefined && !isNaN(stopped)) tone = stopped <= due ? 'met' : 'missed';
  else if (now > due || clock.state === 'breached-running' || clock.state === 'breached') tone = 'breached';
  else tone = now - started >= WARN_FRACTION * (due - started) ? 'warning' : 'running';
  const end = stopped !== undefined && !isNaN(stopped) ? stopped : now;
  const side = clock.kind === 'partner' ? 'partner' : 'microsoft';
  const text = i18n.t('clocks.' + side + '.' + tone, {
    label: clock.severity || '',
    due: i18n.due(clock.dueAt),
    left: i18n.duration(due - now),
    late: i18n.duration(end - due),
    elapsed: i18n.duration(end - started),
  });
  return { text, tone };
}

/** The clocks of an escalation as a list of lines (Microsoft's first); null when none apply. */
export function clockList(i18n, clocks, el) {
  if (!Array.isArray(clocks) || clocks.length === 0) return null;
  const list = el('ul', 'clocks');
  clocks
    .slice()
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'microsoft' ? -1 : 1))
    .forEach((clock) => {
      const line = clockLine(i18n, clock);
      list.appendChild(el('li', 'clock clock-' + line.tone, line.text));
    });
  return list;
}
