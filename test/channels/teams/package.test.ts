import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillManifest } from '../../../scripts/teams-package.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const template = fs.readFileSync(path.join(root, 'manifests/teams/manifest.json'), 'utf8');
const env = { TEAMS_APP_ID: '7e5f0000-0000-4000-8000-000000000b07', PUBLIC_URL: 'https://desk.example.com/' };

/** Width and height from a PNG's IHDR. */
const pngSize = (file: string) => {
  const data = fs.readFileSync(file);
  return { signature: data.subarray(1, 4).toString('ascii'), width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
};

describe('the Teams app package', () => {
  it('the manifest names the bot in personal and team scope and the two message actions, with every placeholder filled', () => {
    const manifest = JSON.parse(fillManifest(template, env));
    expect(manifest).toMatchObject({
      manifestVersion: '1.17',
      id: env.TEAMS_APP_ID,
      bots: [{ botId: env.TEAMS_APP_ID, scopes: ['personal', 'team'] }],
      composeExtensions: [{ botId: env.TEAMS_APP_ID, commands: [{ id: 'createRequest', type: 'action', context: ['message'], fetchTask: true }, { id: 'sendToRequester', type: 'action', context: ['message'] }] }],
      validDomains: ['desk.example.com'],
      developer: { websiteUrl: 'https://desk.example.com' },
    });
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(JSON.stringify(manifest)).not.toContain('{{');
  });

  it('refuses a missing app id and a non-https public URL', () => {
    expect(() => fillManifest(template, { PUBLIC_URL: env.PUBLIC_URL })).toThrow(/TEAMS_APP_ID/);
    expect(() => fillManifest(template, { ...env, PUBLIC_URL: 'http://desk.example.com' })).toThrow(/https/);
  });

  it('icons are PNGs of the sizes Teams asks for', () => {
    expect(pngSize(path.join(root, 'manifests/teams/color.png'))).toEqual({ signature: 'PNG', width: 192, height: 192 });
    expect(pngSize(path.join(root, 'manifests/teams/outline.png'))).toEqual({ signature: 'PNG', width: 32, height: 32 });
  });

  it('`npm run teams:package` writes a zip with the manifest and icons at its root', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/teams-package.ts'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const zipFile = path.join(root, 'dist/switchboard-teams.zip');
    const listing = spawnSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' });
    if (listing.error) return; // no unzip on this machine: the listing check is skipped
    expect(listing.stdout.trim().split('\n').sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-teams-zip-'));
    expect(spawnSync('unzip', ['-q', zipFile, '-d', tmp]).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'manifest.json'), 'utf8')).id).toBe(env.TEAMS_APP_ID);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
