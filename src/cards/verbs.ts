/**
 * Every card action verb, in one map used by the templates (through the render data) and
 * by the handlers: a verb without a handler fails the card test.
 */
export const VERBS = {
  help: 'help',
  escalate: 'escalate',
  health: 'health',
  list: 'list',
  status: 'status',
  resume: 'resume',
  refresh: 'refresh',
  cancel: 'cancel',
  cancelConfirm: 'cancelConfirm',
  describe: 'describe',
  knownConfirm: 'knownConfirm',
  knownDiffers: 'knownDiffers',
  troubleshoot: 'troubleshoot',
  troubleshootSkip: 'troubleshootSkip',
  triage: 'triage',
  handoffLink: 'handoffLink',
  close: 'close',
  retriage: 'retriage',
  customerNotified: 'customerNotified',
  stillBroken: 'stillBroken',
  remindLater: 'remindLater',
  answerMicrosoft: 'answerMicrosoft',
  manualAttention: 'manualAttention',
  manualResolved: 'manualResolved',
  access: 'access',
  grantHealthConsent: 'grantHealthConsent',
  incident: 'incident',
  incidentTold: 'incidentTold',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** Whether a value is one of the verbs. */
export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && (Object.values(VERBS) as string[]).includes(value);
}

/**
 * Every typeahead dataset (`choices.data` of an `Input.ChoiceSet`, searched through the
 * `application/search` invoke): a dataset a card names without a search handler fails the card test.
 */
export const DATASETS = {
  customers: 'customers',
} as const;

export type Dataset = (typeof DATASETS)[keyof typeof DATASETS];

/** Whether a value is one of the datasets. */
export function isDataset(value: unknown): value is Dataset {
  return typeof value === 'string' && (Object.values(DATASETS) as string[]).includes(value);
}
