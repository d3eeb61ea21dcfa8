/**
 * Identifiers of the fake Teams tenant. The activity builders and the connector fake use
 * the same values, so a message "from Teams" and the fake's member registry agree on who
 * is who. Shapes follow what Teams really sends: bot ids are `28:<appId>`, user ids
 * `29:…`, channel and team ids `19:…@thread.tacv2`, personal chats `a:…`.
 */
export const TEAMS_FAKE_DEFAULTS = {
  tenantId: '5f1c0000-0000-4000-8000-00000000feed',
  /** The bot's Microsoft App ID in authenticated tests (any non-empty string works). */
  appId: '7e5f0000-0000-4000-8000-000000000b07',
  appPassword: 'fake-app-password',
  botName: 'Switchboard',
  teamId: '19:fake-team@thread.tacv2',
  teamName: 'Service Desk',
  teamAadGroupId: '0a7e0000-0000-4000-8000-0000000000a1',
  channelId: '19:fake-triage@thread.tacv2',
  channelName: 'Triage',
  personalConversationId: 'a:fake-personal-chat',
  user: {
    id: '29:fake-user-ada',
    aadObjectId: 'ada00000-0000-4000-8000-000000000001',
    name: 'Ada Lovelace',
    email: 'ada@example.test',
  },
} as const;

export type TeamsMemberSeed = {
  /** The Teams user id, `29:…`. */
  id: string;
  aadObjectId: string;
  name: string;
  email: string;
  /** Defaults to the email, as for most tenants. */
  userPrincipalName?: string;
  givenName?: string;
  surname?: string;
  tenantId?: string;
  userRole?: 'user' | 'guest' | 'bot';
};
