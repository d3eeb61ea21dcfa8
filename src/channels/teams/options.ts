import type { BotFrameworkAuthentication } from 'botframework-connector';

/** What a caller may pass to the Teams channel (a leaf module: src/channels/types.ts reads it). */
export interface TeamsOptions {
  /** Tests inject one pointed at a local OpenID/JWKS and AAD fake; production builds it from config. */
  auth?: BotFrameworkAuthentication;
}
