/**
 * The layering README "How it works" describes, checked in CI (`npm run lint:deps`):
 *   inbound adapters (channels, api, web) ──► core ──► db;  outbox delivers through channels.
 * `core` knows no channel, API, web page or platform SDK; a channel imports no other channel;
 * nothing imports in a cycle. Type-only imports count too: a layer that needs another's types
 * depends on it.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make start-up order and testing fragile; move the shared part down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-stays-platform-free',
      severity: 'error',
      comment: 'src/core is the commands and rules: no channel, API, web page, auth route or platform SDK.',
      from: { path: '^src/core/' },
      to: {
        path: [
          '^src/(channels|api|http|scim|auth|outbox)/',
          '^src/(server|runtime|main|cli)\\.ts$',
          'node_modules/(@slack|botbuilder|botframework|@microsoft|imapflow|nodemailer|mailparser|hono|@hono)',
        ],
      },
    },
    {
      name: 'present-is-platform-free',
      severity: 'error',
      comment: 'src/present decides what a person sees (labels, field order, times, actions) for every channel: it reads core and db types and knows no channel, API, web framework or platform SDK. Channels import it; a new channel writes only a renderer.',
      from: { path: '^src/present/' },
      to: {
        path: [
          '^src/(channels|api|http|scim|auth|outbox|knowledge)/',
          '^src/(server|runtime|main|cli)\\.ts$',
          'node_modules/(@slack|botbuilder|botframework|@microsoft|imapflow|nodemailer|mailparser|hono|@hono)',
        ],
      },
    },
    {
      name: 'core-does-not-present',
      severity: 'error',
      comment: 'Core decides what happens; src/present decides how it reads. Core never imports the view layer.',
      from: { path: '^src/(core|db)/' },
      to: { path: '^src/present/' },
    },
    {
      name: 'db-is-the-bottom',
      severity: 'error',
      comment: 'src/db holds the schema and the connection; it depends on nothing of ours above it.',
      from: { path: '^src/db/' },
      to: { path: '^src/(core|channels|api|scim|auth|outbox|knowledge)/' },
    },
    {
      name: 'channels-do-not-import-each-other',
      severity: 'error',
      comment: 'Each channel is one folder; what two channels share lives in core (or src/channels/*.ts).',
      from: { path: '^src/channels/([^/]+)/' },
      to: { path: '^src/channels/([^/]+)/', pathNot: '^src/channels/$1/' },
    },
    {
      name: 'doors-do-not-import-the-api',
      severity: 'error',
      comment: 'The API is one door among the channels: what a channel shares with it (input cleaning, error answers, the bounded wait) lives in src/http, rules in src/core.',
      from: { path: '^src/(channels|knowledge|outbox|auth|scim)/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A source file nothing imports is dead (entry points excepted).',
      from: {
        orphan: true,
        path: '^src/',
        pathNot: ['^src/(main|cli)\\.ts$', '\\.d\\.ts$', '^src/channels/web/assets/', '^src/channels/email/parse-worker\\.mjs$'],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
