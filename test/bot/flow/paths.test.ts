/**
 * The escalation flow's main paths, each written as its specification: what the engineer does,
 * what the bot answers, and where the escalation ends. Run against the bot without HTTP.
 */
import { mailStuck } from '../../helpers/engineer';
import { Conversation, presses, pressesAgain, pressesTwice, says, shows, trail, types, type Path } from './conversation';

/** Contoso's mail problem, as the engineer fills the describe card: it matches a sandbox incident. */
const MAIL_STUCK = mailStuck();

/** Every admin-side check of an Exchange Online problem, ticked. */
const ALL_CHECKS = Object.fromEntries(
  ['licences', 'recent_changes', 'settings', 'client_software', 'mail_flow_rules', 'message_trace'].map((check) => [`check_${check}`, 'true']),
);

const SERVICE_DOWN = { category: 'service_unavailable', severity: 'critical', businessImpact: 'Sales cannot email customers', contact: 'Jo, jo@contoso.example' };

const paths: Record<string, Path> = {
  'a known issue, confirmed: the escalation watches the incident': {
    steps: [
      [types('escalate'), shows(/^Report a customer's problem$/)],
      [presses('describe', MAIL_STUCK), shows(/^Is this a known Microsoft issue\?$/, /^EX226792 · /, /^Why: same service/)],
      [presses('knownConfirm'), [says(/^I'm watching EX226792 for Contoso/), shows(/^Known Microsoft issue: watching$/), trail('draft', 'known_issue')]],
    ],
    ends: 'known_issue',
  },

  'not the same problem → troubleshooting → triage → hand-off → linked to Microsoft': {
    steps: [
      [types('escalate'), shows(/^Report a customer's problem$/)],
      [presses('describe', MAIL_STUCK), shows(/^Is this a known Microsoft issue\?$/)],
      [presses('knownDiffers', { notSameReason: '   ' }), shows(/^Is this a known Microsoft issue\?$/, /^Please fill in or correct: “Not the same\? Say why/)],
      [presses('knownDiffers', { notSameReason: 'Only connectors fail, not Outlook on the web' }), shows(/^Troubleshoot with admin privileges$/)],
      [presses('troubleshoot', { check_licences: 'true' }), [says(/^Saved\. Do the checks above, then say resume to continue ED-/), shows(/^Troubleshoot with admin privileges$/, /Message trace/)]],
      [types('resume'), shows(/^Troubleshoot with admin privileges$/)],
      [presses('troubleshoot', ALL_CHECKS), shows(/^Does this belong to Microsoft\?$/)],
      [presses('triage', SERVICE_DOWN), shows(/^Decision: escalate to Microsoft$/, /You worked through the admin-side checks/, /Customers → Contoso → Service management/)],
      [presses('handoffLink', { requestNumber: '12ab' }), shows(/A request number is 1 to 16 digits/)],
      [presses('handoffLink', { requestNumber: ' 2611250010001234 ' }), [shows(/^Escalated to Microsoft$/, /^Microsoft request: 2611250010001234$/), trail('draft', 'triage', 'awaiting_handoff', 'escalated')]],
    ],
    ends: 'escalated',
  },

  'not for Microsoft: "none of these" gives guidance, and the engineer closes it': {
    steps: [
      [types('escalate'), shows(/^Report a customer's problem$/)],
      [presses('describe', MAIL_STUCK), shows(/^Is this a known Microsoft issue\?$/)],
      [presses('knownDiffers', { notSameReason: 'A mail flow rule of theirs' }), shows(/^Troubleshoot with admin privileges$/)],
      [presses('troubleshootSkip'), shows(/^Does this belong to Microsoft\?$/)],
      [presses('triage', { category: 'none' }), shows(/^This one is yours to fix$/, /configuration or how-to question/)],
      [presses('close'), [shows(/^Closed$/), trail('draft', 'triage', 'not_warranted', 'closed')]],
    ],
    ends: 'closed',
  },

  'cancel mid-way: typed, it cancels the escalation in progress': {
    steps: [
      [types('escalate'), shows(/^Report a customer's problem$/)],
      [presses('describe', MAIL_STUCK), shows(/^Is this a known Microsoft issue\?$/)],
      [types('cancel'), shows(/^Cancel this escalation\?$/, /^Problem: Users cannot send mail$/, /^Customer: Contoso$/)],
      [presses('cancelConfirm'), [says(/^Cancelled ED-[0-9A-Z]{8} “Users cannot send mail” for Contoso\.$/), shows(/^Cancelled$/)]],
      [types('cancel'), says(/^Nothing is in progress here to cancel\./)],
    ],
    ends: 'cancelled',
  },

  'double press: the describe card and the confirm button pressed twice move the escalation once': {
    steps: [
      [types('escalate'), shows(/^Report a customer's problem$/)],
      [pressesTwice('describe', MAIL_STUCK), [shows(/^Is this a known Microsoft issue\?$/), shows(/^Is this a known Microsoft issue\?$/), trail('draft')]],
      [
        pressesTwice('knownConfirm'),
        [says(/^I'm watching EX226792/), shows(/^Known Microsoft issue: watching$/), shows(/^You already moved this escalation on/), trail('draft', 'known_issue')],
      ],
      [pressesAgain(), [shows(/^You already moved this escalation on/), trail('draft', 'known_issue')]],
    ],
    ends: 'known_issue',
  },
};

describe('escalation flow paths (scripted, without HTTP)', () => {
  let conversation: Conversation;
  beforeEach(async () => {
    conversation = await Conversation.start();
  });
  afterEach(async () => conversation.stop());

  for (const [name, path] of Object.entries(paths)) {
    it(name, () => conversation.walk(path));
  }
});
