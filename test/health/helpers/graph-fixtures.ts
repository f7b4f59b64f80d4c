/** Graph-shaped service-health payloads, PascalCase as real Graph sends them. */

export const TENANT = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
export const OTHER_TENANT = '2b9e4d17-8c3a-4f6e-a5d2-91c07e4b6f02';

/** A Graph serviceHealthIssue with overridable fields. */
export function graphIssue(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'EX226792',
    title: 'Users may be unable to send email in Outlook on the web',
    service: 'Exchange Online',
    feature: 'E-Mail and calendar access',
    featureGroup: 'Networking Issues',
    impactDescription: 'Users may be unable to send or receive email.',
    classification: 'Incident',
    origin: 'Microsoft',
    status: 'ServiceDegradation',
    isResolved: false,
    startDateTime: '2025-03-10T07:45:00Z',
    endDateTime: null,
    lastModifiedDateTime: '2025-03-10T09:12:00Z',
    details: [{ name: 'NotifyInApp', value: 'True' }],
    posts: [
      {
        createdDateTime: '2025-03-10T08:05:00Z',
        postType: 'Quick',
        description: { contentType: 'Html', content: 'Current status: investigating.' },
      },
    ],
    ...overrides,
  };
}

/** A Graph serviceHealth entry with expanded issues. */
export function graphService(id: string, service: string, status: string, issues: unknown[] = []): Record<string, unknown> {
  return { id, service, status, issues };
}
