import type { Channel, ChannelDeps } from '../types.ts';
import { FormTokens } from './form-token.ts';
import { webRoutes } from './routes.tsx';

/** The web door: routes only; requesters hear back on Slack, Teams or email. */
export function createWebChannel(deps: ChannelDeps): Channel {
  const tokens = new FormTokens(deps.links, deps.config.publicUrl.startsWith('https:'), deps.core.now);
  const web = webRoutes({ deps, core: deps.core, tokens });
  return {
    name: 'web',
    routes(app) {
      app.route('/', web);
    },
  };
}
