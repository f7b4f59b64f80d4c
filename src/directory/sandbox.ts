/** The sandbox customer directory: the customers of `sandbox/health.json`. */
import type { SandboxData } from '../health/sandbox-data';
import { CustomerIndex } from './search';
import { byCompanyName, searchLimit, type Customer, type CustomerDirectory, type CustomerPage, type PageRequest } from './types';

/** Customers from the sandbox seed. */
export class SandboxCustomerDirectory implements CustomerDirectory {
  private readonly customers: readonly Customer[];
  private readonly index: CustomerIndex;

  constructor(data: SandboxData) {
    this.customers = data.customers
      .map((c) => ({
        tenantId: c.tenantId.toLowerCase(),
        companyName: c.companyName,
        domain: c.domain,
        ...(c.language ? { language: c.language } : {}),
        ...(c.responseTargetHours === undefined ? {} : { responseTargetHours: c.responseTargetHours }),
      }))
      .sort(byCompanyName);
    this.index = new CustomerIndex(this.customers);
  }

  /** Every sandbox customer. */
  list(): Promise<readonly Customer[]> {
    return Promise.resolve(this.customers);
  }

  /** Sandbox customers matching a name, domain or tenant id fragment. */
  search(query: string, limit?: number): Promise<readonly Customer[]> {
    return Promise.resolve(this.index.find(query, { skip: 0, top: searchLimit(limit) }).customers);
  }

  /** A page of the sandbox customers matching `query`. */
  find(query: string, page: PageRequest): Promise<CustomerPage> {
    return Promise.resolve(this.index.find(query, page));
  }

  /** One sandbox customer by tenant id. */
  get(tenantId: string): Promise<Customer | undefined> {
    const wanted = tenantId.toLowerCase();
    return Promise.resolve(this.customers.find((c) => c.tenantId === wanted));
  }
}
