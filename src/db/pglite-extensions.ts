import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';

/**
 * Contrib extensions the embedded engine loads, so search works the same on both engines:
 * pg_trgm (trigram neighbours of a misspelt word), fuzzystrmatch (their edit distance) and unaccent. Postgres has them from
 * its contrib package; the migrations create them where they are available.
 */
export const pgliteExtensions = { fuzzystrmatch, pg_trgm, unaccent };
