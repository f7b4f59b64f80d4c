/**
 * The `conversations` table in both dialects: conversation references for proactive
 * messages, their upsert, unreachability and paged listing.
 */
import type { ConversationRecord } from './queues';
import { iso, type Statement } from './sql';

/** Columns of the conversations table. */
export interface ConversationRow {
  readonly key: string;
  readonly service_url: string;
  readonly conversation_id: string;
  readonly tenant_id: string;
  readonly conversation_type: string | null;
  readonly user_id: string | null;
  readonly aad_object_id: string | null;
  readonly bot_id: string;
  readonly bot_name: string | null;
  readonly unreachable_reason: string | null;
  readonly unreachable_at: string | null;
  readonly updated_at: string;
}

/** Rebuilds a conversation reference. */
export function fromConversationRow(row: ConversationRow): ConversationRecord {
  return {
    key: row.key,
    serviceUrl: row.service_url,
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    botId: row.bot_id,
    updatedAt: row.updated_at,
    ...(row.conversation_type === null ? {} : { conversationType: row.conversation_type }),
    ...(row.user_id === null ? {} : { userId: row.user_id }),
    ...(row.aad_object_id === null ? {} : { aadObjectId: row.aad_object_id }),
    ...(row.bot_name === null ? {} : { botName: row.bot_name }),
    ...(row.unreachable_reason === null
      ? {}
      : { unreachable: { reason: row.unreachable_reason, at: row.unreachable_at ?? row.updated_at } }),
  };
}

/** Inserts or replaces a reference; a reinstall clears `unreachable`. */
export function upsertConversationSql(r: Omit<ConversationRecord, 'unreachable'>): Statement {
  return {
    sql: `INSERT INTO conversations (key, service_url, conversation_id, tenant_id, conversation_type, user_id, aad_object_id, bot_id, bot_name, unreachable_reason, unreachable_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)
          ON CONFLICT (key) DO UPDATE SET service_url = excluded.service_url, conversation_id = excluded.conversation_id,
            tenant_id = excluded.tenant_id, conversation_type = excluded.conversation_type, user_id = excluded.user_id,
            aad_object_id = excluded.aad_object_id, bot_id = excluded.bot_id, bot_name = excluded.bot_name,
            unreachable_reason = NULL, unreachable_at = NULL, updated_at = excluded.updated_at`,
    params: [
      r.key,
      r.serviceUrl,
      r.conversationId,
      r.tenantId,
      r.conversationType ?? null,
      r.userId ?? null,
      r.aadObjectId ?? null,
      r.botId,
      r.botName ?? null,
      r.updatedAt,
    ],
  };
}

/** Marks a reference unreachable. */
export function markUnreachableSql(key: string, reason: string, now: Date): Statement {
  return {
    sql: 'UPDATE conversations SET unreachable_reason = ?, unreachable_at = ? WHERE key = ?',
    params: [reason.slice(0, 100), iso(now), key],
  };
}

/** One page of references in key order (one row more than the page, to learn if another follows). */
export function listConversationsSql(options: { limit: number; cursor?: string; tenantId?: string }): Statement {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (options.cursor !== undefined) {
    conditions.push('key > ?');
    params.push(decodeKeyCursor(options.cursor));
  }
  if (options.tenantId !== undefined) {
    conditions.push('tenant_id = ?');
    params.push(options.tenantId);
  }
  params.push(options.limit + 1);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return { sql: `SELECT * FROM conversations ${where} ORDER BY key LIMIT ?`, params };
}

/** Cuts fetched references into a page and the next cursor. */
export function toConversationPage(
  rows: readonly ConversationRow[],
  limit: number,
): { items: ConversationRecord[]; nextCursor?: string } {
  const items = rows.slice(0, limit).map(fromConversationRow);
  if (rows.length <= limit) return { items };
  return { items, nextCursor: Buffer.from(items[items.length - 1].key, 'utf8').toString('base64url') };
}

function decodeKeyCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '') throw new RangeError('Invalid list cursor: not a cursor returned by list().');
  return key;
}
