/** The sandbox customer directory: the customers of `sandbox/health.json`. */
import type { SandboxData } from '../health/sandbox-data';
import { byCompanyName, searchCustomers, type Customer, type CustomerDirectory } from './types';

/** Customers from the sandbox seed. */
export class SandboxCustomerDirectory implements CustomerDirectory {
  private readonly customers: readonly Customer[];

  constructor(data: SandboxData) {
    this.customers = data.customers
      .map((c) => ({ tenantId: c.tenantId.toLowerCase(), companyName: c.companyName, domain: c.domain }))
      .sort(byCompanyName);
  }

  /** Every sandbox customer. */
  list(): Promise<readonly Customer[]> {
    return Promise.resolve(this.customers);
  }

  /** Sandbox customers matching a name or domain fragment. */
  search(query: string, limit?: number): Promise<readonly Customer[]> {
    return Promise.resolve(searchCustomers(this.customers, query, limit));
  }

  /** One sandbox customer by tenant id. */
  get(tenantId: string): Promise<Customer | undefined> {
    const wanted = tenantId.toLowerCase();
    return Promise.resolve(this.customers.find((c) => c.tenantId === wanted));
  }
}
