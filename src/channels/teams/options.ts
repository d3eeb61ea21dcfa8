import type { TeamsAuthOverrides } from './auth.ts';

/** What a caller may pass to the Teams channel (a leaf module: src/channels/types.ts reads it). */
export interface TeamsOptions {
  /** Tests point the OpenID metadata/JWKS and AAD at local fakes; production uses Microsoft's public cloud. */
  auth?: TeamsAuthOverrides;
}
