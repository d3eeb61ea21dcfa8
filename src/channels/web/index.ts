import type { Channel, ChannelDeps } from '../types.ts';
import { attachmentRoutes } from './attachment-route.ts';
import { FormTokens } from './form-token.ts';
import { mailViewRoutes } from './mail-view.tsx';
import { webRoutes } from './routes.tsx';

/** The web door: routes only; requesters hear back on Slack, Teams or email. */
export function createWebChannel(deps: ChannelDeps): Channel {
  const tokens = new FormTokens(deps.links, deps.config.publicUrl.startsWith('https:'), deps.core.now);
  const web = webRoutes({ deps, core: deps.core, tokens });
  return {
    name: 'web',
    routes(app) {
      // What an email brought in (its files, the original message), for the ticket's link holders.
      attachmentRoutes(app, deps);
      mailViewRoutes(app, deps);
      app.route('/', web);
    },
  };
}
