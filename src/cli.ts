import { loadCatalogFile } from './core/catalog.ts';
import { CoreError } from './core/errors.ts';

const USAGE = `usage:
  switchboard catalog check FILE   validate a catalog file without starting the service
  switchboard start                start the service (same as npm start)`;

/** `npx switchboard ...` — small operator commands. */
async function cli(args: string[]): Promise<number> {
  const [command, sub, file] = args;
  if (command === 'catalog' && sub === 'check') {
    if (!file) {
      process.stderr.write(`switchboard: catalog check needs a FILE\n${USAGE}\n`);
      return 2;
    }
    try {
      const catalog = loadCatalogFile(file);
      const queues = Object.keys(catalog.queues).length;
      const types = Object.keys(catalog.request_types).length;
      process.stdout.write(`catalog ${file}: OK (${queues} queues, ${types} request types, ${Object.keys(catalog.calendars).length} calendars)\n`);
      return 0;
    } catch (error) {
      if (error instanceof CoreError) {
        process.stderr.write(`switchboard: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }
  if (command === 'start') {
    await import('./main.ts');
    return -1;
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

const code = await cli(process.argv.slice(2));
if (code >= 0) process.exit(code);
