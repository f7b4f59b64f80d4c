/**
 * What every table's SQL shares in both dialects: statements written once with `?`
 * placeholders (rendered as `$1, $2, …` for pg), timestamps as sortable text, JSON columns,
 * and page sizes.
 */

/** One statement and its parameters. */
export interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

/** Renders `?` placeholders as `$1, $2, …` for pg. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `?, ?, ?` for `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** A time as the columns hold it. */
export const iso = (d: Date): string => d.toISOString();

/**
 * The column form of a timestamp. Columns hold canonical UTC ISO-8601 text so that text order
 * is time order in both databases, whatever offset or precision the record itself carries.
 */
export function sortableTimestamp(value: string, field: string, id: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new TypeError(`Escalation ${id} has an invalid ${field} timestamp.`);
  }
  return new Date(time).toISOString();
}

/** Reads a JSON column: SQLite returns text, pg has already parsed `json` columns. */
export function fromJsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Page size when the caller gives none. */
export const DEFAULT_LIST_LIMIT = 50;
/** Largest page a caller may ask for. */
export const MAX_LIST_LIMIT = 500;

/** The page size to use for a requested limit: default when absent or not a number, clamped to 1..500. */
export function effectiveLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}
