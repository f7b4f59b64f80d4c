/** Issue 14 item 5: the help card and the usage messages show the commands' arguments (`<customer>`, `<id>`). */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer, renderWelcome } from '../../src/cards';
import { Localizer } from '../../src/i18n';
import { cardTexts } from '../helpers/cards';
import { Chat, shown } from '../helpers/chat';
import { visibleText } from '../helpers/visible';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));

describe('command arguments are shown, not eaten as tags', () => {
  it('the help card shows health <customer> [service], access <customer> and status <id> (en, ko)', () => {
    const en = cardTexts(renderWelcome(cards, localizer.forLocale('en'), { localMode: false })).map(visibleText).join('\n');
    assert.match(en, /health <customer> \[service\]/);
    assert.match(en, /access <customer>/);
    assert.match(en, /status <id>/);
    assert.match(en, /escalate \[customer\] \[problem\]/);
    assert.match(en, /list \[all\]/);
    const ko = cardTexts(renderWelcome(cards, localizer.forLocale('ko'), { localMode: false })).map(visibleText).join('\n');
    assert.match(ko, /health <고객> \[서비스\]/);
    assert.match(ko, /status <id>/);
  });

  describe('over the bot', () => {
    let chat: Chat;
    before(async () => {
      chat = await Chat.start();
    });
    after(async () => {
      await chat.stop();
    });

    it('help, and the usage of status, health and incident, show their arguments', async () => {
      const help = shown(await chat.types('help')).map(visibleText).join('\n');
      assert.match(help, /health <customer> \[service\]/);
      assert.match(visibleText(shown(await chat.types('status')).join('\n')), /status <id>/);
      assert.match(visibleText(shown(await chat.types('health')).join('\n')), /health <customer> \[service\]/);
      assert.match(visibleText(shown(await chat.types('incident')).join('\n')), /incident <id>/);
    });
  });
});
