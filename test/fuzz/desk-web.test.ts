import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSettings, startFuzzDesk } from './desk.ts';
import { deskProperty, deskSeeds, type DeskSeeds } from './desk-web-cases.ts';

let desk: Awaited<ReturnType<typeof startFuzzDesk>>;
let seeds: DeskSeeds;

beforeAll(async () => {
  desk = await startFuzzDesk();
  seeds = await deskSeeds(desk.sb);
}, 120_000);
afterAll(async () => desk?.stop(), 60_000);

describe('fuzzing the signed-in desk: no page or post gets a 5xx', () => {
  it('the seeded session is what the desk sees (else the fuzz would only meet the sign-in redirect)', async () => {
    const response = await fetch(`${seeds.base}/desk/tickets?queue=IT`, { headers: { cookie: seeds.cookie }, redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(seeds.ticketKey);
  });

  it('a NUL in a list filter is cleaned like a form field: the list answers, no 500 (found by this fuzz)', async () => {
    for (const query of ['assignee=a%00b', 'q=lap%00top', 'requester=%00', 'queue=I%00T&status=open']) {
      const response = await fetch(`${seeds.base}/desk/tickets?${query}`, { headers: { cookie: seeds.cookie }, redirect: 'manual' });
      expect(response.status, query).toBeLessThan(500);
    }
  });

  it('a macro named like an object property ("constructor", "__proto__") is no macro: the workspace answers, no 500 (found by this fuzz)', async () => {
    for (const macro of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const response = await fetch(`${seeds.base}/desk/t/${seeds.ticketKey}?macro=${macro}`, { headers: { cookie: seeds.cookie }, redirect: 'manual' });
      expect(response.status, macro).toBe(200);
    }
  });

  it('hostile filters, keys, queries and form posts', async () => {
    const result = await fc.check(deskProperty(seeds), fuzzSettings(300, 8));
    expect(result.failed ? `${String(result.errorInstance).slice(0, 800)} (seed ${result.seed})` : null).toBeNull();
  }, 90_000);
});
