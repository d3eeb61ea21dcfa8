/**
 * `npm run teams:package`: the Teams app package to upload (Teams admin center, or
 * "Upload a custom app"): manifest.json with the placeholders filled from the
 * environment, and the two icons, zipped at the root as Teams requires.
 *
 *   TEAMS_APP_ID=<Azure bot app id> PUBLIC_URL=https://desk.example.com npm run teams:package
 *
 * Optional: TEAMS_ORGANIZATION (developer name; default "Switchboard"). `--icons` redraws
 * manifests/teams/color.png and outline.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { colorIcon, outlineIcon } from './teams/png.ts';
import { zip } from './teams/zip.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifestDir = path.join(root, 'manifests', 'teams');
const output = path.join(root, 'dist', 'switchboard-teams.zip');

export function fillManifest(template: string, env: NodeJS.ProcessEnv): string {
  const appId = env.TEAMS_APP_ID?.trim();
  if (!appId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId)) {
    throw new Error('TEAMS_APP_ID must be the bot\'s Microsoft App ID (a GUID)');
  }
  let publicUrl: URL;
  try {
    publicUrl = new URL(env.PUBLIC_URL ?? '');
  } catch {
    throw new Error('PUBLIC_URL must be the https:// address Switchboard is reached at');
  }
  if (publicUrl.protocol !== 'https:') throw new Error('PUBLIC_URL must start with https:// (Teams requires it)');
  const values: Record<string, string> = {
    TEAMS_APP_ID: appId,
    PUBLIC_URL: publicUrl.origin,
    PUBLIC_HOST: publicUrl.host,
    ORGANIZATION: env.TEAMS_ORGANIZATION?.trim() || 'Switchboard',
  };
  const filled = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`manifest placeholder ${whole} has no value`);
    return JSON.stringify(value).slice(1, -1);
  });
  JSON.parse(filled);
  return filled;
}

function drawIcons(): void {
  fs.writeFileSync(path.join(manifestDir, 'color.png'), colorIcon([0x3f, 0x5b, 0xd9]));
  fs.writeFileSync(path.join(manifestDir, 'outline.png'), outlineIcon());
}

function main(): void {
  if (process.argv.includes('--icons') || !fs.existsSync(path.join(manifestDir, 'color.png'))) drawIcons();
  const manifest = fillManifest(fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8'), process.env);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(
    output,
    zip([
      { name: 'manifest.json', data: Buffer.from(manifest) },
      { name: 'color.png', data: fs.readFileSync(path.join(manifestDir, 'color.png')) },
      { name: 'outline.png', data: fs.readFileSync(path.join(manifestDir, 'outline.png')) },
    ]),
  );
  console.log(`wrote ${path.relative(process.cwd(), output)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`teams:package: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
