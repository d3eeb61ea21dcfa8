/**
 * Route table of the Bot Connector REST API (the paths botframework-connector 4.23 called,
 * from `connectorApi/operations/conversations.js` and `teams/operations/teams.js`; the
 * Teams SDK 2.x calls the same). Route names are the Bot Framework operation names.
 */
export type ConnectorRoute =
  | 'createConversation' // POST v3/conversations
  | 'getConversations' // GET  v3/conversations
  | 'sendToConversation' // POST v3/conversations/{id}/activities
  | 'replyToActivity' // POST v3/conversations/{id}/activities/{activityId}
  | 'updateActivity' // PUT  v3/conversations/{id}/activities/{activityId}
  | 'deleteActivity' // DELETE v3/conversations/{id}/activities/{activityId}
  | 'getActivityMembers' // GET v3/conversations/{id}/activities/{activityId}/members
  | 'getConversationMembers' // GET v3/conversations/{id}/members
  | 'getConversationMember' // GET v3/conversations/{id}/members/{memberId}
  | 'getConversationPagedMembers' // GET v3/conversations/{id}/pagedmembers
  | 'fetchChannelList' // GET v3/teams/{teamId}/conversations
  | 'fetchTeamDetails' // GET v3/teams/{teamId}
  | 'unknown';

export type ResolvedRoute = {
  route: ConnectorRoute;
  conversationId?: string;
  activityId?: string;
  memberId?: string;
  teamId?: string;
};

/**
 * Maps a request to its operation. Path parameters arrive percent-encoded (Teams ids
 * hold ':', ';' and '=', e.g. `19:x@thread.tacv2;messageid=1`), so the path is split
 * on '/' first and each segment decoded afterwards.
 */
export function resolveRoute(method: string, pathname: string): ResolvedRoute {
  const segments = pathname.split('/').filter((segment) => segment !== '').map(decodeSegment);
  const [version, collection, id, sub, subId, leaf, ...rest] = segments;
  if (version !== 'v3' || rest.length > 0) return { route: 'unknown' };

  if (collection === 'teams' && id !== undefined && method === 'GET') {
    if (sub === undefined) return { route: 'fetchTeamDetails', teamId: id };
    if (sub === 'conversations' && subId === undefined) return { route: 'fetchChannelList', teamId: id };
    return { route: 'unknown' };
  }
  if (collection !== 'conversations') return { route: 'unknown' };

  if (id === undefined) {
    if (method === 'POST') return { route: 'createConversation' };
    if (method === 'GET') return { route: 'getConversations' };
    return { route: 'unknown' };
  }
  const conversationId = id;
  if (sub === 'activities' && subId === undefined && method === 'POST') {
    return { route: 'sendToConversation', conversationId };
  }
  if (sub === 'activities' && subId !== undefined && leaf === undefined) {
    const activityId = subId;
    if (method === 'POST') return { route: 'replyToActivity', conversationId, activityId };
    if (method === 'PUT') return { route: 'updateActivity', conversationId, activityId };
    if (method === 'DELETE') return { route: 'deleteActivity', conversationId, activityId };
  }
  if (sub === 'activities' && subId !== undefined && leaf === 'members' && method === 'GET') {
    return { route: 'getActivityMembers', conversationId, activityId: subId };
  }
  if (sub === 'members' && leaf === undefined && method === 'GET') {
    return subId === undefined
      ? { route: 'getConversationMembers', conversationId }
      : { route: 'getConversationMember', conversationId, memberId: subId };
  }
  // The Bot Connector (ASP.NET) routes case-insensitively; the Teams SDK asks for `pagedMembers`.
  if (sub?.toLowerCase() === 'pagedmembers' && subId === undefined && method === 'GET') {
    return { route: 'getConversationPagedMembers', conversationId };
  }
  return { route: 'unknown', conversationId };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
