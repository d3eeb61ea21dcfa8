import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { teamsChannelMessage, teamsPersonalMessage } from '../fakes/teams/activities.ts';
import { fakeBotFrameworkAuthentication, startBotAuthFake, type BotAuthFake } from '../fakes/teams/auth.ts';
import { TEAMS_FAKE_DEFAULTS } from '../fakes/teams/defaults.ts';
import { deleted, nextId, peopleSearch } from '../channels/teams/activities.ts';
import { startDesk, type Desk } from '../channels/teams/harness.ts';
import { fuzzSettings } from './desk.ts';
import { teamsProperty, type TeamsSeeds } from './teams-cases.ts';

const { appId, appPassword, tenantId } = TEAMS_FAKE_DEFAULTS;
let auth: BotAuthFake;
let desk: Desk;
let seeds: TeamsSeeds;

beforeAll(async () => {
  auth = await startBotAuthFake();
  desk = await startDesk({ auth: fakeBotFrameworkAuthentication(auth, appId, appPassword, tenantId), env: { TEAMS_APP_ID: appId, TEAMS_APP_PASSWORD: appPassword, TEAMS_TENANT_ID: tenantId, ...(process.env.FUZZ_LOG ? { LOG_LEVEL: 'error' } : {}) } });
  const token = await auth.signToken({ aud: appId, serviceurl: desk.connector.url });
  seeds = { url: `${desk.sb.url}/api/messages`, serviceUrl: desk.connector.url, appId, authorization: `Bearer ${token}` };
}, 120_000);
beforeEach(() => {
  // A rejected token must not reach the console (the SDK logs through our logger); statuses are asserted.
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await desk?.stop();
  await auth?.close();
}, 60_000);

const post = (activity: unknown) => desk.post(activity, seeds.authorization);

describe('POST /api/messages under hostile, validly authenticated activities', () => {
  it('a messageDelete without channelData is acknowledged (200) and ignored', async () => {
    const { channelData: _none, ...bare } = deleted(teamsChannelMessage({ serviceUrl: seeds.serviceUrl, text: 'x', threadRootId: '1700000000001', appId }));
    expect((await post({ ...bare, id: nextId() })).status).toBe(200);
  });

  it('a conversationUpdate whose membersAdded is not an array is acknowledged (200) and ignored', async () => {
    const base = teamsPersonalMessage({ serviceUrl: seeds.serviceUrl, text: '', appId });
    for (const membersAdded of [0, 'x', { id: 'a' }, [null]]) expect((await post({ ...base, id: nextId(), type: 'conversationUpdate', membersAdded })).status).toBe(200);
  });

  it('a bad body is a 400 in the error vocabulary', async () => {
    const response = await fetch(seeds.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: seeds.authorization }, body: '{"type":' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('an invoke nobody handles is a 400 in the vocabulary, not botbuilder\'s 501', async () => {
    const invoke = { ...peopleSearch(seeds.serviceUrl, `${TEAMS_FAKE_DEFAULTS.channelId};messageid=1700000000001`, 'bo', TEAMS_FAKE_DEFAULTS.user), id: nextId(), name: 'no/such-invoke' };
    const response = await post(invoke);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_invoke');
  });

  it('a redelivered invoke (same activity id) gets the answer of its first delivery, not 501', async () => {
    const invoke = { ...peopleSearch(seeds.serviceUrl, `${TEAMS_FAKE_DEFAULTS.channelId};messageid=1700000000001`, 'bo', TEAMS_FAKE_DEFAULTS.user), id: nextId() };
    const first = await post(invoke);
    const firstBody = await first.text();
    const again = await post(invoke);
    expect(first.status).toBe(200);
    expect(again.status).toBe(first.status);
    expect(await again.text()).toBe(firstBody);
  });

  it('fuzzed activities never get a 5xx; refusals are {error: {code, message}}', async () => {
    const result = await fc.check(teamsProperty(seeds), fuzzSettings(300, 6));
    expect(result.failed ? `${String(result.errorInstance).slice(0, 900)} (seed ${result.seed})` : null).toBeNull();
  }, 90_000);
});
