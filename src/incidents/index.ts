/** The incident sweep and the seam its messages are rendered through. */
export { IncidentSweep, type IncidentSweepOptions, type SweepRound } from './sweep';
export { placeholderIncidentRenderer, type IncidentRenderer } from './render';
