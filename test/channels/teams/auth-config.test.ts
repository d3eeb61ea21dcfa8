import { describe, expect, it } from 'vitest';
import { TeamsPlatform } from '../../../src/channels/teams/adapter.ts';
import { appOptions } from '../../../src/channels/teams/auth.ts';
import { logger } from '../../../src/logger.ts';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';

const activity = teamsPersonalMessage({ serviceUrl: 'https://smba.trafficmanager.net/emea/', text: 'hi' });
const quiet = logger.child({}, { level: 'silent' });

describe('Teams SDK authentication built from the configuration', () => {
  it('without an app id (TEAMS_ENABLED=1) it is the no-auth local mode: no token needed', async () => {
    const platform = await TeamsPlatform.create(appOptions({ appId: undefined, appPassword: undefined, tenantId: undefined }, quiet));
    const seen: string[] = [];
    const handled = await platform.handle(activity, undefined, async (turn) => {
      seen.push(turn.activity.type);
      return undefined;
    });
    expect(handled).toEqual({ refused: false, answer: undefined });
    expect(seen).toEqual(['message']);
  });

  it.each([
    { story: 'a single-tenant app', tenantId: TEAMS_FAKE_DEFAULTS.tenantId },
    { story: 'a multi-tenant app', tenantId: undefined },
  ])('for $story, a request without a token is refused before any network call', async ({ tenantId }) => {
    const platform = await TeamsPlatform.create(appOptions({ appId: TEAMS_FAKE_DEFAULTS.appId, appPassword: TEAMS_FAKE_DEFAULTS.appPassword, tenantId }, quiet));
    let ran = false;
    const handled = await platform.handle(activity, undefined, async () => {
      ran = true;
      return undefined;
    });
    expect(handled).toEqual({ refused: true });
    expect(ran).toBe(false);
  });
});
