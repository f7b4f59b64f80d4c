/**
 * Checks the shape of an incoming activity before botbuilder sees it: botbuilder throws
 * (and answers 500) on bodies that are not activities, where the caller deserves a 400.
 */
import { z } from 'zod';

const id = z.string().min(1).max(1024);
const account = z.object({ id, name: z.string().max(1024).optional(), aadObjectId: z.string().max(128).optional() }).loose();

/** The fields botbuilder and our handlers rely on, with their types and bounds. */
const ActivityShape = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(1024).optional(),
    channelId: z.string().min(1).max(64),
    serviceUrl: z.string().max(2048).refine((v) => URL.canParse(v) && /^https?:/i.test(v), { error: 'must be an http(s) URL' }),
    conversation: z.object({ id, conversationType: z.string().max(64).optional(), tenantId: z.string().max(128).optional() }).loose(),
    from: account,
    recipient: account.optional(),
    text: z.string().optional(),
    locale: z.string().max(64).optional(),
    name: z.string().max(256).optional(),
    replyToId: z.string().max(1024).optional(),
    entities: z.array(z.object({ type: z.string() }).loose()).max(64).optional(),
    attachments: z.array(z.object({ contentType: z.string() }).loose()).max(64).optional(),
  })
  .loose();

/** Whether a parsed body looks like an activity; otherwise, a short reason for the 400. */
export function checkActivity(body: unknown): { ok: true } | { ok: false; reason: string } {
  const result = ActivityShape.safeParse(body);
  if (result.success) return { ok: true };
  const issue = result.error.issues[0];
  return { ok: false, reason: `Not a valid activity: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}` };
}
