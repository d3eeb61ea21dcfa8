// The JavaScript `npm start` and `npx switchboard` run: src/ bundled by esbuild (with the pure-JS
// dependencies) into node_modules/.cache/switchboard/build, rebuilt when an input changed. Plain
// JavaScript, so that starting needs no TypeScript loader: loading src/ through tsx (resolving
// ~900 modules and transforming ours on the fly) was ~1 s of CPU of every start; this is ~0.5 s
// once per change of the sources. `npm test` still runs the sources (vitest).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'src');

/**
 * Left to Node at run time: packages that find files next to their own code (PGlite's WebAssembly
 * and data files, pino's and piscina's worker threads, Swagger UI's assets, tsx for the email parse
 * worker) and those the service loads only when first used (each platform SDK, Vega, openid-client,
 * IMAP, SMTP, mail parsing): bundled, they would be parsed at every start for nothing.
 */
const EXTERNAL = [
  '@electric-sql/pglite',
  'pino',
  'piscina',
  'tsx',
  'swagger-ui-dist',
  'postgres',
  'proper-lockfile',
  '@slack/*',
  '@microsoft/*',
  'vega',
  'vega-lite',
  'openid-client',
  'imapflow',
  'nodemailer',
  'mailparser',
];

/** Entry points: the service (src/main.ts) and the operator CLI (src/cli.ts). */
const ENTRIES = { main: 'src/main.ts', cli: 'src/cli.ts' };

/** Where builds live: next to node_modules (so `npm ci` starts from none), else the temp folder (one per checkout). */
function buildRoot() {
  const perCheckout = `switchboard-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;
  for (const candidate of [path.join(root, 'node_modules', '.cache', 'switchboard', 'build'), path.join(os.tmpdir(), perCheckout)]) {
    try {
      fs.mkdirSync(candidate, { recursive: true });
      fs.accessSync(candidate, fs.constants.W_OK);
      return candidate;
    } catch {
      // read-only install folder: try the next
    }
  }
  throw new Error('no writable folder for the build');
}

/**
 * The file URL of an entry's up-to-date build, building first when any input changed. The check
 * is a stat of every file the last build read (its sources, the bundled packages, tsconfig.json,
 * package-lock.json and this script): a few milliseconds.
 */
export async function builtEntry(name) {
  const buildsDir = buildRoot();
  const stampFile = path.join(buildsDir, 'current.json');
  let stamp = readStamp(stampFile);
  if (!stamp || !upToDate(buildsDir, stamp)) stamp = await build(buildsDir, stampFile, stamp);
  return pathToFileURL(path.join(buildsDir, stamp.dir, `${name}.js`)).href;
}

function readStamp(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function upToDate(buildsDir, stamp) {
  if (!fs.existsSync(path.join(buildsDir, stamp.dir))) return false;
  for (const [file, mtimeMs, size] of stamp.inputs) {
    const stat = fs.statSync(path.join(root, file), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs !== mtimeMs || stat.size !== size) return false;
  }
  return true;
}

/**
 * Our sources read files next to themselves (the migrations, the sample catalog and knowledge
 * articles, the web assets): in the bundle, `import.meta.url` (and `.filename`, `.dirname`) of a
 * source file still name that file, relative to the bundle's own URL (so the checkout can move).
 */
function sourceUrls(outdir) {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.tsx?$/ }, async (args) => {
        if (!args.path.startsWith(srcDir + path.sep)) return undefined;
        let text = await fs.promises.readFile(args.path, 'utf8');
        const loader = args.path.endsWith('.tsx') ? 'tsx' : 'ts';
        if (!/import\.meta\.(url|filename|dirname)/.test(text)) return { contents: text, loader };
        const url = `new URL(${JSON.stringify(path.relative(outdir, args.path).split(path.sep).join('/'))}, import.meta.url)`;
        text = text
          .replaceAll('import.meta.url', `${url}.href`)
          .replaceAll('import.meta.filename', `__switchboardPath(${url})`)
          .replaceAll('import.meta.dirname', `__switchboardDirname(__switchboardPath(${url}))`);
        // Appended (imports are hoisted), so the source's line numbers stay as they are in its map.
        const helpers = "import { fileURLToPath as __switchboardPath } from 'node:url'; import { dirname as __switchboardDirname } from 'node:path';";
        return { contents: `${text}\n${helpers}\n`, loader };
      });
    },
  };
}

/**
 * Build into a private folder, then move it to a name that is a hash of what it was built from:
 * two processes that find the build stale at once (a fresh install's first starts, parallel test
 * files) make the same folder, and the second one's move finds it there and keeps it.
 */
async function build(buildsDir, stampFile, previous) {
  const { build: esbuild } = await import('esbuild');
  const building = path.join(buildsDir, `building-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    const result = await esbuild({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      outdir: building,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      external: EXTERNAL,
      // Class names stay as written: errors carry them (`this.name = new.target.name`).
      keepNames: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      tsconfig: path.join(root, 'tsconfig.json'),
      // The bundled CommonJS packages call require(); in an ES module it has to be made.
      banner: { js: "import { createRequire as __switchboardRequire } from 'node:module'; const require = __switchboardRequire(import.meta.url);" },
      // Relative to `building`, a sibling of the final folder: the same relative paths hold there.
      plugins: [sourceUrls(building)],
    });
    const files = [...Object.keys(result.metafile.inputs), 'tsconfig.json', 'package-lock.json', path.relative(root, import.meta.filename)];
    const inputs = [...new Set(files)].flatMap((file) => {
      const stat = fs.statSync(path.join(root, file), { throwIfNoEntry: false });
      return stat ? [[file, stat.mtimeMs, stat.size]] : [];
    });
    const dir = `dist-${createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16)}`;
    try {
      fs.renameSync(building, path.join(buildsDir, dir));
    } catch (error) {
      if (!fs.existsSync(path.join(buildsDir, dir, 'main.js'))) throw error;
    }
    const stamp = { dir, inputs };
    const temporary = `${stampFile}.${process.pid}-${randomBytes(3).toString('hex')}`;
    fs.writeFileSync(temporary, JSON.stringify(stamp));
    fs.renameSync(temporary, stampFile);
    removeOldBuilds(buildsDir, [dir, previous?.dir]);
    return stamp;
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/**
 * Older builds go, but not the ones named in `keep` (this and the previous build) nor any made in
 * the last hour: a running process (or one starting beside this one) may still load its lazily
 * imported chunks.
 */
function removeOldBuilds(buildsDir, keep) {
  for (const name of fs.readdirSync(buildsDir)) {
    const full = path.join(buildsDir, name);
    if (!/^(dist|building)-/.test(name) || keep.includes(name)) continue;
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > 3_600_000) fs.rmSync(full, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  // `node scripts/build.mjs`: build now (if stale) and say where.
  console.log(await builtEntry('main'));
}
