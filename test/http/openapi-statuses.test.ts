/**
 * /openapi.json declares every status a route can answer (issue 17): the common error statuses
 * (common-responses.ts) on every operation, in the family's error shape, besides what each route
 * declares itself. The fuzzer (test/reliability/fuzz) fails on any status an operation answers
 * that is not declared here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa;
let paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { description?: string } }> }> }>>;
beforeAll(async () => {
  t = await startTestKassa();
  paths = (await t.request('GET', '/openapi.json')).json().paths;
});
afterAll(async () => t.close());

const declared = (method: string, path: string) => Object.keys(paths[path]?.[method]?.responses ?? {}).map(Number);

describe('/openapi.json', () => {
  it('declares the statuses the hostile-input probe saw undeclared', () => {
    expect(declared('get', '/ordermanagement/v1/orders/{order_id}')).toEqual(expect.arrayContaining([200, 400, 401, 404, 429]));
    expect(declared('get', '/payments/v1/redirect/{order_id}')).toEqual(expect.arrayContaining([303, 400, 404]));
    expect(declared('delete', '/v2/notification/webhooks/{webhook_id}')).toEqual(expect.arrayContaining([204, 400, 401, 404, 409, 413, 415, 429]));
    expect(declared('post', '/merchant/v1/requests/{request_id}/check')).toEqual(expect.arrayContaining([400, 401, 404, 409, 413, 415, 429]));
    expect(declared('post', '/merchant/v1/notifications/{token}')).toEqual(expect.arrayContaining([400, 404, 409, 413, 415]));
    expect(declared('post', '/ordermanagement/v1/orders/{order_id}/captures')).toEqual(expect.arrayContaining([201, 400, 401, 403, 404, 409, 413, 415, 429]));
  });

  it('declares on every operation 400, 408, 431 and 503; on every change 409, 413 and 415; with credentials 401 and 429', () => {
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses).map(Number);
        const where = `${method.toUpperCase()} ${path}`;
        expect(statuses, where).toEqual(expect.arrayContaining([400, 408, 431, 503]));
        if (['post', 'put', 'patch', 'delete'].includes(method)) expect(statuses, where).toEqual(expect.arrayContaining([409, 413, 415]));
        if (statuses.includes(401)) expect(statuses, where).toContain(429);
      }
    }
  });

  it('uses the v2 error body on /v2 paths and the v1 body elsewhere', () => {
    const description = (method: string, path: string, status: number) => paths[path]![method]!.responses[status]!.content?.['application/json']?.schema.description;
    expect(description('get', '/v2/notification/webhooks', 429)).toBe('Klarna v2 error body');
    expect(description('get', '/ordermanagement/v1/orders/{order_id}', 429)).toBe('Klarna v1 error body');
  });
});
