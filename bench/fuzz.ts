/**
 * npm run bench:fuzz — the fuzz suites of test/fuzz, run longer: every /api/v1 operation, the
 * web form and ticket page, the signed-in desk's pages and posts, POST /slack/events (signed as Slack signs) and POST /api/messages
 * (Bot Framework tokens from the local AAD/JWKS fake). Prints requests, answers by status
 * class, failures (any 5xx, or a refusal outside the error vocabulary) and time per door.
 *
 *   FUZZ_RUNS=2000 FUZZ_SECONDS=60 FUZZ_SEED=42 npm run bench:fuzz
 *
 * Runs on a throwaway database on BENCH_DATABASE_URL's server (default local Postgres), or
 * embedded PGlite with BENCH_ENGINE=pglite. Not run in CI (the bounded suites in test/fuzz are).
 */
import fc from 'fast-check';

const RUNS = Number(process.env.FUZZ_RUNS) || 2_000;
const SECONDS = Number(process.env.FUZZ_SECONDS) || 60;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
if (process.env.BENCH_ENGINE !== 'pglite') process.env.TEST_DATABASE_URL ??= process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.LOG_LEVEL ??= 'silent';

// Count every answer the fuzzers get, by door.
let door = '';
const tally = new Map<string, { requests: number; byClass: Record<string, number> }>();
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const entry = tally.get(door) ?? { requests: 0, byClass: {} };
  entry.requests += 1;
  const cls = `${String(response.status)[0]}xx`;
  entry.byClass[cls] = (entry.byClass[cls] ?? 0) + 1;
  tally.set(door, entry);
  return response;
};
// Nothing of the Teams SDK should print; kept quiet like the other channels' refusals.
console.error = () => {};

const settings = (runs = RUNS) => ({ numRuns: runs, interruptAfterTimeLimit: SECONDS * 1000, seed: SEED });
const results: Array<{ door: string; seconds: number; failure: string | null }> = [];

async function measure(name: string, run: () => Promise<string | null>) {
  door = name;
  const started = performance.now();
  const failure = await run();
  results.push({ door: name, seconds: (performance.now() - started) / 1000, failure });
}

async function main() {
  const { startFuzzDesk } = await import('../test/fuzz/desk.ts');
  const { apiOperations, apiProperty } = await import('../test/fuzz/api-cases.ts');
  const { webProperty, webSeeds } = await import('../test/fuzz/web-cases.ts');
  const { deskProperty, deskSeeds } = await import('../test/fuzz/desk-web-cases.ts');
  const { createTicket } = await import('../src/core/tickets.ts');

  const desk = await startFuzzDesk();
  try {
    const headers = { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json' };
    const typeKey = Object.entries(desk.sb.catalog.request_types).find(([, t]) => !t.fields.some((f) => f.required))![0];
    const { ticket } = await createTicket(desk.sb.core, { type: typeKey, title: 'Fuzz seed', requester: { email: 'ada@example.test' }, channel: 'api' });
    const seeds = { ticketKey: ticket.key, typeKey, query: { status: 'open', queue: ticket.queue, limit: '10', q: 'seed', cursor: Buffer.from('t:99999999999').toString('base64url') } };
    const ops = apiOperations(await (await realFetch(`${desk.sb.url}/api/v1/openapi.json`, { headers })).json());
    const perOp = Math.max(50, Math.round(RUNS / 4));
    await measure(`api (${ops.length} operations × ${perOp} runs)`, async () => {
      for (const op of ops) {
        const r = await fc.check(apiProperty(desk.sb.url, desk.token, op, seeds), { ...settings(perOp), interruptAfterTimeLimit: (SECONDS * 1000) / ops.length });
        if (r.failed) return `${op.method} ${op.path}: ${String(r.errorInstance).slice(0, 500)}`;
      }
      return null;
    });
    const link = new URL(desk.sb.links.url(ticket.key, 'ada@example.test'));
    const web = await webSeeds(desk.sb.url, typeKey, `${link.pathname}${link.search}`);
    await measure('web', async () => {
      const r = await fc.check(webProperty(web), settings());
      return r.failed ? String(r.errorInstance).slice(0, 500) : null;
    });
    const signedIn = await deskSeeds(desk.sb);
    await measure('desk (signed in)', async () => {
      const r = await fc.check(deskProperty(signedIn), settings());
      return r.failed ? String(r.errorInstance).slice(0, 500) : null;
    });
  } finally {
    await desk.stop();
  }

  const { startSlackDesk, ada, GENERAL, SIGNING_SECRET } = await import('../test/channels/slack/harness.ts');
  const { slackProperty } = await import('../test/fuzz/slack-cases.ts');
  const slack = await startSlackDesk({ WORKERS: 'off' });
  try {
    await measure('slack', async () => {
      const r = await fc.check(slackProperty({ url: `${slack.sb.url}/slack/events`, signingSecret: SIGNING_SECRET, user: ada, dm: `D${ada.id}`, channel: GENERAL }), settings());
      return r.failed ? String(r.errorInstance).slice(0, 500) : null;
    });
  } finally {
    await slack.stop();
  }

  const { startDesk } = await import('../test/channels/teams/harness.ts');
  const { fakeBotFrameworkAuthentication, startBotAuthFake } = await import('../test/fakes/teams/auth.ts');
  const { TEAMS_FAKE_DEFAULTS } = await import('../test/fakes/teams/defaults.ts');
  const { teamsProperty } = await import('../test/fuzz/teams-cases.ts');
  const { appId, appPassword, tenantId } = TEAMS_FAKE_DEFAULTS;
  const auth = await startBotAuthFake();
  const teams = await startDesk({ auth: fakeBotFrameworkAuthentication(auth, appId, appPassword, tenantId), env: { TEAMS_APP_ID: appId, TEAMS_APP_PASSWORD: appPassword, TEAMS_TENANT_ID: tenantId, WORKERS: 'off' } });
  try {
    const token = await auth.signToken({ aud: appId, serviceurl: teams.connector.url });
    await measure('teams', async () => {
      const r = await fc.check(teamsProperty({ url: `${teams.sb.url}/api/messages`, serviceUrl: teams.connector.url, appId, authorization: `Bearer ${token}` }), settings());
      return r.failed ? String(r.errorInstance).slice(0, 500) : null;
    });
  } finally {
    await teams.stop();
    await auth.close();
  }

  console.log(`bench:fuzz  seed ${SEED}, up to ${RUNS} runs and ${SECONDS} s per door (FUZZ_RUNS, FUZZ_SECONDS, FUZZ_SEED)`);
  console.log('door'.padEnd(36), 'requests'.padStart(9), '2xx'.padStart(7), '3xx'.padStart(6), '4xx'.padStart(7), '5xx'.padStart(6), 'seconds'.padStart(8), '  result');
  for (const r of results) {
    const t = tally.get(r.door) ?? { requests: 0, byClass: {} };
    const c = (k: string) => String(t.byClass[k] ?? 0);
    console.log(r.door.padEnd(36), String(t.requests).padStart(9), c('2xx').padStart(7), c('3xx').padStart(6), c('4xx').padStart(7), c('5xx').padStart(6), r.seconds.toFixed(1).padStart(8), `  ${r.failure ? `FAIL ${r.failure}` : 'ok'}`);
  }
  process.exit(results.some((r) => r.failure) ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stdout.write(`bench:fuzz failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
