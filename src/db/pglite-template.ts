import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from './migrations-folder.ts';

/**
 * A fresh embedded database starts from a copy of an initialised, migrated one. PGlite runs
 * initdb (in WebAssembly) the first time it opens an empty folder: 5–20 s on a busy 2-core
 * machine and a heap that grows to ~900 MB, most of a fresh start; the migrations add 0.5–4 s.
 * Both depend only on the PGlite build and the migrations folder, so their result is made once
 * per install (and again when either changes), in a cache folder next to node_modules
 * (node_modules/.cache/switchboard, else the system temp folder), and every empty DATA_DIR after
 * that is a plain file copy of it (~28 MB, ~0.1 s). A cleanly closed data directory is position
 * independent: the copy opens like any reused DATA_DIR, and migrate() finds nothing to apply.
 */
export async function seedFromTemplate(dir: string, create: CreateEmbedded, initdbParams: string[]): Promise<void> {
  // Only an empty folder is seeded: anything else (a data directory, or what a crashed initdb
  // left) is PGlite's to open or refuse, as before.
  if (fs.readdirSync(dir).length > 0) return;
  const template = templateDir(initdbParams);
  if (!fs.existsSync(path.join(template, READY))) await buildTemplate(template, create);
  // A copy-on-write clone where the file system has them (btrfs, XFS), a plain copy elsewhere.
  fs.cpSync(template, dir, { recursive: true, mode: fs.constants.COPYFILE_FICLONE, filter: (source) => path.basename(source) !== READY });
}

const READY = '.switchboard-template-ready';

/** Open (initdb first if empty) an embedded database in `dir`, with extra `-c` settings for this run. */
type CreateEmbedded = (dir: string, settings?: string[]) => Promise<PGlite>;

/**
 * While the template is made: keep no more WAL than needed. The shutdown checkpoint then leaves
 * ~4 MB of segments behind instead of recycling them for later (min_wal_size is 80 MB); the copies
 * start with the server's usual settings and grow their WAL as they need it.
 */
const TEMPLATE_SETTINGS = ['-c', 'min_wal_size=2MB', '-c', 'max_wal_size=4MB'];

/** initdb into a private folder, close cleanly, then move it into place (a concurrent builder's copy wins ties). */
async function buildTemplate(template: string, create: CreateEmbedded): Promise<void> {
  const building = `${template}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(building, { recursive: true });
  try {
    const client = await create(building, TEMPLATE_SETTINGS);
    try {
      await migrate(drizzle(client), { migrationsFolder });
      await dropTemplateDatabases(client);
    } finally {
      await client.close();
    }
    fs.writeFileSync(path.join(building, READY), `${new Date().toISOString()}\n`);
    try {
      fs.renameSync(building, template);
    } catch (error) {
      // Another process finished first (the target exists and is not empty): use theirs.
      if (!fs.existsSync(path.join(template, READY))) throw error;
    }
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/**
 * initdb makes three databases; the service only ever opens `postgres`. The other two (template0
 * and template1, 300 files each) were half the files every fresh DATA_DIR copied, and creating a
 * file is what a copy costs on a small VM's ext4 (about 0.4 ms each, 0.9 s for the 1 158 files of
 * the whole template). Nothing here creates a database from them (PGlite serves one database), so
 * they are dropped from the template: 559 files to copy. DROP DATABASE runs outside a transaction,
 * one statement per call.
 */
async function dropTemplateDatabases(client: PGlite): Promise<void> {
  for (const name of ['template0', 'template1']) {
    await client.query(`alter database ${name} is_template false`);
    await client.query(`drop database ${name}`);
  }
}

/** Bumped when what buildTemplate leaves behind changes for the same PGlite and migrations. */
const LAYOUT = 'v2: template0 and template1 dropped';

/** One template per PGlite build, initdb parameters, state of the migrations folder and LAYOUT. */
function templateDir(initdbParams: string[]): string {
  const pglite = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const manifest = path.join(pglite.slice(0, pglite.lastIndexOf(`${path.sep}dist${path.sep}`)), 'package.json');
  const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown';
  const hash = createHash('sha256').update(LAYOUT).update(JSON.stringify(initdbParams));
  for (const file of fs.readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort()) {
    const full = path.join(migrationsFolder, file);
    if (fs.statSync(full).isFile()) hash.update(file).update(fs.readFileSync(full));
  }
  return path.join(cacheRoot(), `pglite-${version}-${hash.digest('hex').slice(0, 16)}`);
}

function cacheRoot(): string {
  const nextToModules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/.cache/switchboard');
  for (const candidate of [nextToModules, path.join(os.tmpdir(), 'switchboard-cache')]) {
    try {
      fs.mkdirSync(candidate, { recursive: true });
      fs.accessSync(candidate, fs.constants.W_OK);
      return candidate;
    } catch {
      // read-only install folder: try the next
    }
  }
  throw new Error('no writable cache folder for the embedded database template');
}
