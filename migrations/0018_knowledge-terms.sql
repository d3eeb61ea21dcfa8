-- heading: the lexemes of the title (weight A) and the tags (B) alone, with their own GIN index,
-- so that "a query word in the title or tags" is answered from an index without reading every
-- article that uses the word in its text.
-- Existing articles are rewritten with it by the next knowledge sync (every start syncs).
ALTER TABLE "kb_articles" ADD COLUMN "heading" tsvector DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
CREATE INDEX "kb_articles_heading_idx" ON "kb_articles" USING gin ("heading") WITH (fastupdate = off);--> statement-breakpoint
-- Articles change seldom and are searched on every keystroke: GIN's fast-update pending list,
-- which every search would scan linearly until a vacuum merges it, costs more than it saves.
ALTER INDEX "kb_articles_search_idx" SET (fastupdate = off);--> statement-breakpoint
SELECT gin_clean_pending_list('kb_articles_search_idx'::regclass);--> statement-breakpoint
UPDATE "kb_articles" SET "digest" = '';--> statement-breakpoint
-- What search needs to know about the articles' words, rebuilt by every knowledge sync:
-- kb_words, the words of titles, tags and summaries (folded as the keywords are), for spelling
-- correction by trigram distance ("passwrd" → "password"); kb_lexemes, each text-search
-- configuration's lexemes with the number of articles holding them (its inverse document
-- frequency weighs a rare word above a common one), and under the lexeme '' that
-- configuration's number of articles. fuzzystrmatch gives the edit distance that picks among the
-- trigram neighbours; like pg_trgm and unaccent it is optional.
DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS fuzzystrmatch; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'fuzzystrmatch is not available here: %', SQLERRM; END $$;--> statement-breakpoint
CREATE TABLE "kb_words" (
	"word" text PRIMARY KEY NOT NULL,
	"ndoc" integer NOT NULL
);--> statement-breakpoint
CREATE TABLE "kb_lexemes" (
	"config" text NOT NULL,
	"lexeme" text NOT NULL,
	"ndoc" integer NOT NULL,
	CONSTRAINT "kb_lexemes_pk" PRIMARY KEY ("config", "lexeme")
);--> statement-breakpoint
DO $$ BEGIN CREATE INDEX "kb_words_trgm_idx" ON "kb_words" USING gist ("word" gist_trgm_ops); EXCEPTION WHEN undefined_object THEN RAISE NOTICE 'pg_trgm is not available here: no spelling correction'; END $$;
