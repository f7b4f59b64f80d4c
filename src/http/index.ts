/** The shared upstream HTTP layer: retrying client, paging, app tokens, errors. */
export * from './errors';
export * from './upstream';
export * from './paging';
export * from './app-token';
export * from './retry-after';
export * from './ids';
