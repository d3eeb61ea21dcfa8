// `npm start`: run the service from its build (scripts/build.mjs, made or refreshed first when the
// sources changed), with Node's compile cache in node_modules/.cache/switchboard so a start after
// the first one reuses V8's compiled code of the bundle and the packages instead of compiling them.
import module from 'node:module';
import path from 'node:path';

module.enableCompileCache(path.resolve(import.meta.dirname, '../node_modules/.cache/switchboard/compile'));
let entry;
try {
  const { builtEntry } = await import('./build.mjs');
  entry = await builtEntry('main');
} catch (error) {
  process.stderr.write(`switchboard: could not build: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
await import(entry);
