/**
 * Drives the Microsoft 365 Agents Playground page (a React app with Fluent UI controls) as a
 * person would: types in the composer, fills Adaptive Card inputs through their labels, clicks
 * card buttons. Cards are found by their heading; a card answered by an invoke is replaced in
 * place, so a step waits for the next heading to appear.
 *
 * Selectors found by exploring the playground 0.2.28 DOM:
 * - composer: a Lexical editor, `[contenteditable="true"][data-lexical-editor="true"]`, sent with
 *   the button named "Send Message";
 * - cards: `.ac-adaptiveCard` (adaptivecards renderer, Fluent inputs): Input.Text → textbox,
 *   filtered Input.ChoiceSet → combobox with options in a portal, expanded ChoiceSet → radios,
 *   Input.Date → combobox opening a "Calendar" dialog, Input.Time → combobox listing the
 *   half hours as the page's locale writes them ("1:30 AM"), Input.Number → spinbutton, actions →
 *   buttons named by their title; the heading TextBlock (`style: heading`) has role heading.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { TimeZone } from '../../../src/domain/local-time';

const STEP_TIMEOUT_MS = 15_000;

export class PlaygroundChat {
  constructor(
    private readonly page: Page,
    private readonly screenshotDir: string,
  ) {}

  /** The last card whose heading is exactly `heading`. */
  card(heading: string): Locator {
    return this.page
      .locator('.ac-adaptiveCard')
      .filter({ has: this.page.getByRole('heading', { name: heading, exact: true }) })
      .last();
  }

  /** Waits for the card headed `heading`; on timeout says what the last card shows instead. */
  async expectCard(heading: string, timeoutMs = STEP_TIMEOUT_MS): Promise<Locator> {
    const card = this.card(heading);
    try {
      await card.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (error) {
      const last = await this.lastCardText();
      throw new Error(`no card headed "${heading}" within ${timeoutMs} ms; the last card shows:\n${last}`, { cause: error });
    }
    return card;
  }

  async lastCardText(): Promise<string> {
    const cards = this.page.locator('.ac-adaptiveCard');
    if ((await cards.count()) === 0) return '(no card)';
    return (await cards.last().innerText({ timeout: 2_000 }).catch(() => '(unreadable)')).slice(0, 2_000);
  }

  /** Types `text` in the composer and sends it. */
  async say(text: string): Promise<void> {
    const composer = this.page.locator('[contenteditable="true"][data-lexical-editor="true"]');
    await composer.click({ timeout: STEP_TIMEOUT_MS });
    await this.page.keyboard.type(text);
    await this.page.getByRole('button', { name: 'Send Message', exact: true }).click();
  }

  /** Opens a team channel of the side list (the playground's team has General and Announcements). */
  async openChannel(name: string): Promise<void> {
    await this.page.getByRole('treeitem').filter({ hasText: name }).first().click({ timeout: STEP_TIMEOUT_MS });
  }

  /**
   * Starts a new post in the open channel that @mentions `mention` (picked from the composer's
   * suggestions, as a person does: the playground forwards a channel post to the bot only when it
   * mentions it), followed by `text`.
   */
  async post(mention: string, text: string): Promise<void> {
    const composer = this.page.locator('[contenteditable="true"][data-lexical-editor="true"]').first();
    await composer.click({ timeout: STEP_TIMEOUT_MS });
    await this.page.keyboard.type(`@${mention.split(' ')[0] ?? mention}`);
    await this.page.getByRole('menuitem', { name: mention }).first().click({ timeout: STEP_TIMEOUT_MS });
    await this.page.keyboard.type(` ${text}`);
    await this.page.getByRole('button', { name: 'Post', exact: true }).click();
  }

  /** Types into a filtered choice set and picks the option named `option`. */
  async choose(card: Locator, label: RegExp, typed: string, option: string): Promise<void> {
    const box = card.getByRole('combobox', { name: label });
    await box.click();
    await box.pressSequentially(typed);
    await this.page.getByRole('option', { name: option, exact: true }).click({ timeout: STEP_TIMEOUT_MS });
  }

  /** Picks `option` in a compact (not filtered) choice set labelled `label`: a native select or a dropdown. */
  async pick(card: Locator, label: RegExp, option: string): Promise<void> {
    const box = card.getByRole('combobox', { name: label });
    if ((await box.evaluate((el) => el.tagName)) === 'SELECT') {
      await box.selectOption({ label: option });
      return;
    }
    await box.click();
    await this.page.getByRole('option', { name: option, exact: true }).click({ timeout: STEP_TIMEOUT_MS });
  }

  /** Opens a date input's calendar and clicks the day `date` (`YYYY-MM-DD`, a day of the month the calendar opens on). */
  async pickDate(card: Locator, label: RegExp, date: string): Promise<string> {
    const box = card.getByRole('combobox', { name: label });
    await box.click();
    const [year, month, dayOfMonth] = date.split('-').map(Number);
    const monthName = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
    const day = `${dayOfMonth}, ${monthName}, ${year}`;
    await this.page.getByRole('dialog', { name: 'Calendar' }).getByRole('button', { name: day, exact: true }).click({ timeout: STEP_TIMEOUT_MS });
    return box.inputValue();
  }

  /**
   * Picks a time (`HH:MM`, 24-hour, on the half hour) from a time input's list (a Fluent
   * TimePicker), as a person does; returns what the input shows. The list names each time as the
   * page's locale writes it ("10:00 AM" in en-US). Typing the 24-hour form is no substitute: the
   * playground's picker formats a typed "09:30" but leaves "10:00" to "12:30" as typed, not taken.
   */
  async pickTime(card: Locator, label: RegExp, time: string): Promise<string> {
    const box = card.getByRole('combobox', { name: label });
    const [hour = 0, minute = 0] = time.split(':').map(Number);
    const name = await this.page.evaluate(
      ([h, m]) => new Date(2000, 0, 1, h, m).toLocaleTimeString(navigator.language, { hour: 'numeric', minute: '2-digit' }),
      [hour, minute] as const,
    );
    await box.click();
    await this.page.getByRole('option', { name, exact: true }).click({ timeout: STEP_TIMEOUT_MS });
    return this.shownValue(box, (shown) => shown === name);
  }

  /**
   * What `box` shows once it shows something `settled` accepts, or what it shows when the wait
   * ends: a Fluent control fills in its value a render after the card appears or a key is pressed,
   * so reading it at once races the page (how much depends on the browser build and the load).
   */
  async shownValue(box: Locator, settled: (shown: string) => boolean, timeoutMs = 5_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let shown = await box.inputValue();
    while (!settled(shown) && Date.now() < until) {
      await this.page.waitForTimeout(50);
      shown = await box.inputValue();
    }
    return shown;
  }

  async fill(card: Locator, role: 'textbox' | 'spinbutton', label: RegExp, value: string): Promise<void> {
    await card.getByRole(role, { name: label }).fill(value);
  }

  async check(card: Locator, label: string | RegExp): Promise<void> {
    await card.getByRole('radio', { name: label }).check();
  }

  async click(card: Locator, button: string): Promise<void> {
    await card.getByRole('button', { name: button, exact: true }).click();
  }

  /** A screenshot of the visible page, with `card` scrolled into view if given. */
  async screenshot(name: string, card?: Locator): Promise<string> {
    if (card) await card.scrollIntoViewIfNeeded();
    const path = join(this.screenshotDir, name);
    await this.page.screenshot({ path });
    return path;
  }
}

/**
 * A start time an engineer in `zoneName` would pick for a problem that began this morning: surely
 * past on their clock, on the half hour (the time picker lists half hours), on a day the calendar
 * shows (today's midnight when 90 minutes ago was yesterday).
 */
export function recentLocalStart(now: Date, zoneName: string): { date: string; time: string } {
  const zone = TimeZone.of(zoneName);
  const today = zone?.wallClock(now);
  const earlier = zone?.wallClock(new Date(now.getTime() - 90 * 60_000));
  assert.ok(today && earlier, `${zoneName} is a zone`);
  if (earlier.date !== today.date) return { date: today.date, time: '00:00' };
  const [hour = '00', minute = '00'] = earlier.time.split(':');
  return { date: earlier.date, time: `${hour}:${Number(minute) < 30 ? '00' : '30'}` };
}
