/** Background tracking: the tracker that polls Microsoft and the outbox worker that notifies Teams. */
export * from './types';
export { Tracker, MICROSOFT_ACTOR, type TrackerOptions, type NotificationRenderer, type Observation } from './tracker';
export { OutboxWorker, type OutboxWorkerOptions, type OutboxStats } from './outbox-worker';
export { TEAMS_CONVERSATION_WINDOWS, TEAMS_TENANT_WINDOWS } from './teams-limits';
