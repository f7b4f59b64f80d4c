/** The shared upstream HTTP layer: retrying client, backoff, paging, app tokens, errors; the loading cache (loading-cache.ts). */
export * from './errors';
export * from './upstream';
export * from './paging';
export * from './app-token';
export * from './retry-after';
export * from './ids';
