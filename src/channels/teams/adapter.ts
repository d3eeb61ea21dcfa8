import { CloudAdapter, INVOKE_RESPONSE_KEY, TeamsInfo, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';
import type { InvokeAnswer, OutgoingMessage, TeamsActivity, TeamsMember, TeamsTurn } from './platform.ts';

/** Our handlers' logic: one turn in, the invoke's answer (if any) out. */
export type TurnLogic = (turn: TeamsTurn) => Promise<InvokeAnswer | undefined>;

/**
 * CloudAdapter with its authenticated entry point public: the endpoint authenticates
 * first (to answer 401 for every bad token) and hands the result over, so the token is
 * validated once.
 */
export class TeamsAdapter extends CloudAdapter {
  processAuthenticated(result: AuthenticateRequestResult, activity: Activity, logic: TurnLogic): Promise<InvokeResponse | undefined> {
    return this.processActivity(result, activity, async (ctx) => {
      const answer = await logic(turnOf(ctx));
      if (answer) ctx.turnState.set(INVOKE_RESPONSE_KEY, { type: 'invokeResponse', value: answer });
    });
  }
}

/** Our view of a botbuilder turn. */
export function turnOf(ctx: TurnContext): TeamsTurn {
  return {
    activity: ctx.activity as unknown as TeamsActivity,
    async send(message: OutgoingMessage | string) {
      return (await ctx.sendActivity(typeof message === 'string' ? message : { type: 'message', ...message }))?.id;
    },
    async update(activityId: string, message: OutgoingMessage) {
      await ctx.updateActivity({ id: activityId, type: 'message', ...message });
    },
    async member(userId: string): Promise<TeamsMember> {
      const account = await TeamsInfo.getMember(ctx, userId);
      return { id: account.id, name: account.name, aadObjectId: account.aadObjectId, email: account.email, userPrincipalName: account.userPrincipalName };
    },
  };
}
