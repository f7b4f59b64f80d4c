/** Sample data for every card template: the card test expands each one with it. */
import { renderHealth, renderWelcome, type AdaptiveCardJson, type CardRenderer } from '../../src/cards';
import type { Translator } from '../../src/i18n';

/** Renders every template through its typed render function. */
export function sampleCards(cards: CardRenderer, tr: Translator): Record<string, AdaptiveCardJson> {
  return {
    welcome: renderWelcome(cards, tr, { localMode: true }),
    health: renderHealth(cards, tr, {
      tenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01',
      title: 'Service health: Contoso',
      asOf: 'As of 2026-11-25 09:00 UTC',
      stale: true,
      issuesHeading: 'Open issues (1)',
      services: [
        { name: 'Exchange Online', status: 'Degraded' },
        { name: 'Microsoft Teams', status: 'Healthy' },
      ],
      issues: [
        {
          id: 'EX226792',
          title: 'Users may be unable to send mail',
          kind: 'Incident',
          status: 'Investigating',
          service: 'Exchange Online',
          impact: 'Outbound mail is delayed.',
          since: 'Since 2026-11-25 08:00 UTC',
        },
      ],
    }),
  };
}
