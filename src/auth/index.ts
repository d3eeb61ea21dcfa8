import type { ChannelDeps } from '../channels/types.ts';
import { queuesWorkedBy } from '../core/roles.ts';
import { OidcSignIn } from './oidc.ts';
import { Sessions } from './sessions.ts';

export interface Auth {
  sessions: Sessions;
  /** Set when OIDC_* is configured; otherwise sign-in is by one-time link. */
  oidc: OidcSignIn | null;
  /** Where someone lands after signing in without a `next`: agents on /desk, everyone else on /my. */
  landing(personId: number): Promise<string>;
}

const built = new WeakMap<ChannelDeps['database'], Auth>();

/** One sign-in service per running instance (the OIDC provider's metadata is discovered once). */
export function authOf(deps: ChannelDeps): Auth {
  let auth = built.get(deps.database);
  if (!auth) {
    const db = deps.core.db;
    auth = {
      sessions: new Sessions(db, deps.config.publicUrl.startsWith('https:'), deps.core.now),
      oidc: deps.config.oidc ? new OidcSignIn(deps.config.oidc, deps.config.publicUrl, deps.logger) : null,
      async landing(personId) {
        return (await queuesWorkedBy(db, personId)).length ? '/desk' : '/my';
      },
    };
    built.set(deps.database, auth);
  }
  return auth;
}
