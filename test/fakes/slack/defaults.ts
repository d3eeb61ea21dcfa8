/**
 * Identifiers of the fake workspace. The payload builders use the same defaults as the
 * fake Web API, so an event "from Slack" and the fake's auth.test agree on who is who.
 */
export const SLACK_FAKE_DEFAULTS = {
  teamId: 'T0SWITCH',
  teamName: 'Switchboard Test',
  teamDomain: 'switchboard-test',
  botUserId: 'U0BOT0001',
  botId: 'B0BOT0001',
  botName: 'switchboard',
  appId: 'A0SWITCH01',
  /** The deprecated verification token Slack still puts in every payload. */
  verificationToken: 'fake-verification-token',
} as const;

export type SlackFakeIdentity = {
  teamId: string;
  teamName: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  botName: string;
  appId: string;
};
