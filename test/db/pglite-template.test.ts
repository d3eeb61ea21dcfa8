import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { migrate, migrationsApplied, resultRows } from '../../src/db/migrate.ts';

const dirs: string[] = [];
const freshDataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-template-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const count = async (database: Awaited<ReturnType<typeof openDatabase>>, query: ReturnType<typeof sql>) =>
  Number(resultRows<{ n: number }>(await database.db.execute(query))[0]?.n);

describe('a fresh DATA_DIR starts from the initialised, migrated template', () => {
  it('opens already migrated, and two fresh folders are two separate databases', async () => {
    const first = await openDatabase({ dataDir: freshDataDir() });
    const second = await openDatabase({ dataDir: freshDataDir() });
    try {
      // Migrated before migrate() runs: the copy carries the template's applied migrations.
      expect(await migrationsApplied(first)).toBe(true);
      await migrate(first);
      await first.db.execute(sql`insert into settings (key, value) values ('template-test', 'only here')`);
      expect(await count(first, sql`select count(*)::int as n from settings where key = 'template-test'`)).toBe(1);
      expect(await count(second, sql`select count(*)::int as n from settings where key = 'template-test'`)).toBe(0);
      // The engine works as before: the contrib extensions the migrations create are there.
      expect(await count(second, sql`select count(*)::int as n from pg_extension where extname in ('pg_trgm', 'unaccent')`)).toBe(2);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a reused DATA_DIR keeps its data (the template is only for an empty folder)', async () => {
    const dataDir = freshDataDir();
    const before = await openDatabase({ dataDir });
    await before.db.execute(sql`insert into settings (key, value) values ('kept', 'yes')`);
    await before.close();
    const after = await openDatabase({ dataDir });
    try {
      expect(await count(after, sql`select count(*)::int as n from settings where key = 'kept'`)).toBe(1);
    } finally {
      await after.close();
    }
  });
});
