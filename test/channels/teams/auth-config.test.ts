import { describe, expect, it, vi } from 'vitest';
import type { Activity } from 'botbuilder';
import { buildAuthentication } from '../../../src/channels/teams/auth.ts';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';

// A plain activity object; botbuilder's Activity type marks fields it fills itself as required.
const activity = teamsPersonalMessage({ serviceUrl: 'https://smba.trafficmanager.net/emea/', text: 'hi' }) as unknown as Activity;

describe('Bot Framework authentication built from the configuration', () => {
  it('without an app id (TEAMS_ENABLED=1) it is the no-auth local mode: no token needed', async () => {
    const result = await buildAuthentication({ appId: undefined, appPassword: undefined, tenantId: undefined }).authenticateRequest(activity, '');
    // botbuilder's anonymous identity: no app id claim to check a token against.
    expect(result.claimsIdentity.getClaimValue('appid')).toBeNull();
  });

  it.each([
    { story: 'a single-tenant app', tenantId: TEAMS_FAKE_DEFAULTS.tenantId },
    { story: 'a multi-tenant app', tenantId: undefined },
  ])('for $story, a request without a token is refused before any network call', async ({ tenantId }) => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const auth = buildAuthentication({ appId: TEAMS_FAKE_DEFAULTS.appId, appPassword: TEAMS_FAKE_DEFAULTS.appPassword, tenantId });
    await expect(auth.authenticateRequest(activity, '')).rejects.toThrow(/Unauthorized|Access|auth/i);
    vi.restoreAllMocks();
  });
});
