/**
 * The describe card's customer field for a partner with thousands of customers: Teams'
 * typeahead searches them all through the bot (`application/search` on the `customers`
 * dataset), and the card itself carries only a bounded first page, for clients that cannot
 * search, with the preset customer (from `health <customer>` → Escalate) always among it so the
 * field never shows blank.
 */
import type { Customer, CustomerDirectory } from '../../directory';
import type { SearchChoice, SearchHandler } from '../bot';

/** Most customers the card lists itself. */
export const STATIC_CUSTOMER_CHOICES = 50;
/**
 * Most bytes the listed customers may take in the card: with a 4,000-character Korean
 * description echoed back (about 12 KB) the card stays under its 28 KB budget.
 */
export const STATIC_CUSTOMER_BYTES = 6 * 1024;
/** Longest company name shown in a choice. */
const MAX_CHOICE_TITLE = 120;

/** A choice of the describe card's customer field. */
export interface CustomerChoice {
  readonly name: string;
  readonly tenantId: string;
}

/** The customer choices the card carries, and how many customers there are in all. */
export interface StaticCustomerChoices {
  readonly customers: readonly CustomerChoice[];
  readonly total: number;
}

function choiceOf(c: Customer): CustomerChoice {
  const name = [...c.companyName];
  return { name: name.length > MAX_CHOICE_TITLE ? `${name.slice(0, MAX_CHOICE_TITLE - 1).join('')}…` : c.companyName, tenantId: c.tenantId };
}

/** Bytes a choice adds to the card's JSON (with its punctuation). */
function choiceBytes(c: CustomerChoice): number {
  return Buffer.byteLength(JSON.stringify({ title: c.name, value: c.tenantId })) + 1;
}

/**
 * The first page of customers, bounded in count and bytes, with `first` (the preset customer,
 * or the candidates of an ambiguous name) at its head whatever their place in the list.
 */
export async function staticCustomerChoices(directory: CustomerDirectory, first: readonly Customer[] = []): Promise<StaticCustomerChoices> {
  const page = await directory.find('', { skip: 0, top: STATIC_CUSTOMER_CHOICES });
  const chosen: CustomerChoice[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const [i, customer] of [...first, ...page.customers].entries()) {
    if (seen.has(customer.tenantId)) continue;
    const choice = choiceOf(customer);
    const size = choiceBytes(choice);
    const required = i < first.length;
    if (!required && (chosen.length >= STATIC_CUSTOMER_CHOICES || bytes + size > STATIC_CUSTOMER_BYTES)) break;
    seen.add(customer.tenantId);
    chosen.push(choice);
    bytes += size;
  }
  return { customers: chosen, total: page.total };
}

/** What the customer search needs. */
export interface CustomerSearchOptions {
  readonly directory: CustomerDirectory;
  /** Longest the search may hold the invoke (Teams wants an answer within 5 s). */
  readonly timeoutMs: number;
}

/** A search result's title: the name, and the domain that tells two "Contoso"s apart. */
function resultTitle(c: Customer): string {
  const { name } = choiceOf(c);
  return c.domain ? `${name} (${c.domain})` : name;
}

/**
 * The `customers` dataset's typeahead: the page Teams asks for of the customers matching what
 * was typed (name, domain or tenant id), from the directory's cached list. A first listing that
 * outlasts the invoke keeps running and serves the next keystroke.
 */
export function createCustomerSearch(options: CustomerSearchOptions): SearchHandler {
  return async (ctx, query) => {
    const lookup = options.directory.find(query.text, { skip: query.skip, top: query.top });
    lookup.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      const page = await Promise.race([
        lookup,
        new Promise<'slow'>((resolve) => {
          timer = setTimeout(() => resolve('slow'), options.timeoutMs);
        }),
      ]);
      if (page === 'slow') return { error: { statusCode: 503, code: 'CustomerListLoading', message: ctx.tr.t('messages.customersSlow') } };
      const results: SearchChoice[] = page.customers.map((c) => ({ title: resultTitle(c), value: c.tenantId }));
      return { results };
    } catch (error) {
      ctx.info.logger.warn({ err: error }, 'customer directory unavailable for a typeahead');
      return {
        error: {
          statusCode: 502,
          code: 'CustomerListUnavailable',
          message: ctx.tr.t('messages.health.directoryDown', { code: ctx.info.correlationId.slice(0, 8) }),
        },
      };
    } finally {
      clearTimeout(timer);
    }
  };
}
