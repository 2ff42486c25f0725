/**
 * Every API operation the client calls: method, path and the body fields it may send. The client
 * builds its requests from this table, and client.test.ts checks the table against /openapi.json,
 * so a renamed route or field fails a test instead of a customer's integration.
 *
 * @example
 * operations.decide; // { method: 'POST', path: '/v1/decide', body: ['subject', …] }
 */
export const operations = {
  decide: { method: 'POST', path: '/v1/decide', body: ['subject', 'placement', 'context', 'n', 'explain'] },
  outcome: { method: 'POST', path: '/v1/outcomes', body: ['type', 'decisionId', 'subject', 'action', 'item', 'value', 'messageId', 'timestamp'] },
  decision: { method: 'GET', path: '/v1/decisions/{id}', body: [] },
  decisions: { method: 'GET', path: '/v1/decisions', body: [], query: ['subject', 'action', 'placement', 'from', 'to', 'after', 'limit'] },
  profile: { method: 'GET', path: '/v1/profiles/{identifier}', body: [], query: ['events'] },
} as const;

/** The name of one operation of the table. */
export type OperationName = keyof typeof operations;
