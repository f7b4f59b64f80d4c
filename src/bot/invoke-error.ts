/**
 * The answer to an invoke (a card action) that failed or was refused: Teams shows an
 * `application/vnd.microsoft.error` body's message to the user who clicked.
 */
import { ActivityTypes, type Activity } from 'botbuilder';

/** An invokeResponse activity carrying an error status, code and user-facing message. */
export function invokeErrorActivity(statusCode: number, code: string, message: string): Partial<Activity> {
  return {
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } } },
  };
}
