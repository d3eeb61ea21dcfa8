import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOperations, apiProperty, type ApiOperation, type ApiSeeds } from './api-cases.ts';
import { fuzzSettings, startFuzzDesk } from './desk.ts';

let desk: Awaited<ReturnType<typeof startFuzzDesk>>;
let seeds: ApiSeeds;
let operations: ApiOperation[] = [];

beforeAll(async () => {
  desk = await startFuzzDesk();
  const headers = { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json' };
  const catalog = (await (await fetch(`${desk.sb.url}/api/v1/catalog`, { headers })).json()) as { requestTypes: Array<{ key: string; fields: Array<{ required?: boolean }> }> };
  const typeKey = catalog.requestTypes.find((t) => !t.fields.some((f) => f.required))!.key;
  const created = await fetch(`${desk.sb.url}/api/v1/tickets`, { method: 'POST', headers, body: JSON.stringify({ type: typeKey, title: 'Seed ticket', requester: { email: 'ada@example.test' } }) });
  expect(created.status).toBe(201);
  const { key } = (await created.json()) as { key: string };
  seeds = { ticketKey: key, typeKey, query: { status: 'open', queue: key.split('-')[0]!, limit: '10', q: 'seed', assignee: 'none', cursor: Buffer.from('t:99999999999').toString('base64url') } };
  operations = apiOperations(await (await fetch(`${desk.sb.url}/api/v1/openapi.json`)).json());
}, 120_000);
afterAll(async () => desk?.stop(), 60_000);

describe('fuzzing /api/v1: no input gets a 5xx, every refusal is {error: {code, message}}', () => {
  it('covers every operation of the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(10);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toContain('POST /tickets');
  });

  it('every operation survives hostile parameters, queries and bodies', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const result = await fc.check(apiProperty(desk.sb.url, desk.token, op, seeds), fuzzSettings(300, 1));
      if (result.failed) failures.push(`${op.method} ${op.path}: ${String(result.errorInstance ?? '').slice(0, 600)} (seed ${result.seed}, counterexample ${JSON.stringify(result.counterexample)?.slice(0, 400)})`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
