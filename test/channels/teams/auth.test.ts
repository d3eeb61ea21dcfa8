import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { fakeBotFrameworkAuthentication, startBotAuthFake, type BotAuthFake, type ChannelTokenClaims, type SignTokenOptions } from '../../fakes/teams/auth.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';
import { personalSubmit } from './activities.ts';
import { cardOf, startDesk, ticketCount as countTickets, type Desk } from './harness.ts';

const { appId, appPassword, tenantId } = TEAMS_FAKE_DEFAULTS;

describe('Teams with an app id: inbound activities are authenticated the Bot Framework way', () => {
  let auth: BotAuthFake;
  let desk: Desk;

  beforeAll(async () => {
    auth = await startBotAuthFake();
    desk = await startDesk({
      auth: fakeBotFrameworkAuthentication(auth, appId, appPassword, tenantId),
      env: { TEAMS_APP_ID: appId, TEAMS_APP_PASSWORD: appPassword, TEAMS_TENANT_ID: tenantId },
    });
  });
  beforeEach(() => {
    // A rejected token must not reach the console (the SDK logs through our logger); the statuses are asserted.
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await desk.stop();
    await auth.close();
  });

  const token = (claims: Partial<ChannelTokenClaims> = {}, options?: SignTokenOptions): Promise<string> =>
    auth.signToken({ aud: appId, serviceurl: desk.connector.url, ...claims }, options);

  /** A complete laptop form, as Teams would deliver Ada's press of Submit. */
  const filing = () =>
    personalSubmit(desk.connector.url, { sb: 'file', type: 'laptop', title: 'New laptop please', f_model: '13-inch', f_for_new_hire: 'false' }, undefined, undefined, appId);
  const ticketCount = () => countTickets(desk);

  it('a token Teams would send for our app id is accepted, and the answer carries a bearer token from AAD', async () => {
    const response = await desk.post(teamsPersonalMessage({ serviceUrl: desk.connector.url, text: 'hello', appId }), `Bearer ${await token()}`);

    expect(response.status).toBe(200);
    const picker = await desk.connector.waitFor((c) => c.route === 'replyToActivity');
    expect(cardOf(picker.body)).toBeDefined();
    expect(auth.issuedTokens).toContain(picker.headers.authorization?.replace(/^Bearer /, ''));
  });

  const refusals: { story: string; authorization: () => Promise<string | undefined> }[] = [
    { story: 'no Authorization header', authorization: async () => undefined },
    { story: 'a token for another app id', authorization: async () => `Bearer ${await token({ aud: 'someone-else' })}` },
    { story: 'an expired token', authorization: async () => `Bearer ${await token({}, { expired: true })}` },
    { story: 'a token from another issuer', authorization: async () => `Bearer ${await token({ iss: 'https://api.botframework.com' })}` },
    { story: 'a token signed under a kid the JWKS does not publish', authorization: async () => `Bearer ${await token({}, { unknownKey: true })}` },
    { story: 'a forged signature under the published kid', authorization: async () => `Bearer ${await token({}, { wrongKey: true })}` },
    { story: 'a malformed bearer', authorization: async () => 'Bearer not-a-jwt' },
  ];

  it.each(refusals)('$story is refused with 401 and nothing is processed', async ({ authorization }) => {
    desk.connector.calls.length = 0;
    const response = await desk.post(filing(), await authorization());

    expect(response.status).toBe(401);
    expect(await ticketCount()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(desk.connector.calls).toEqual([]);
  });

  it('the same filing with a valid token files one ticket', async () => {
    const activity = filing();
    expect((await desk.post(activity, `Bearer ${await token()}`)).status).toBe(200);
    expect((await desk.post(activity, `Bearer ${await token()}`)).status).toBe(200);
    expect(await ticketCount()).toBe(1);
  });
});
