/**
 * Structured logging (pino). Message text, names, emails and secrets never go to the log
 * at info level: the known secret-bearing fields are redacted wherever they appear.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Field paths that can carry secrets or personal data and are always censored. */
const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'text',
  '*.text',
];

/** Options of the process logger. */
export interface LoggerOptions {
  readonly level: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  readonly destination?: pino.DestinationStream;
}

/** Creates the process-wide logger (one per process, passed down explicitly). */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'escalation-desk' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
