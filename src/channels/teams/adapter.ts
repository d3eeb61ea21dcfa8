import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';

/**
 * CloudAdapter with its authenticated entry point public: the endpoint authenticates
 * first (to answer 401 for every bad token) and hands the result over, so the token is
 * validated once.
 */
export class TeamsAdapter extends CloudAdapter {
  processAuthenticated(result: AuthenticateRequestResult, activity: Activity, logic: (ctx: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(result, activity, logic);
  }
}
