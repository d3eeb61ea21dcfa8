DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS unaccent; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'unaccent is not available here: %', SQLERRM; END $$;--> statement-breakpoint
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'desk_search') THEN
    CREATE TEXT SEARCH CONFIGURATION desk_search (COPY = english);
    IF EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent') THEN
      ALTER TEXT SEARCH CONFIGURATION desk_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
  END IF;
END $$;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_due_at" timestamp with time zone GENERATED ALWAYS AS (
  CASE
    WHEN "status" IN ('resolved', 'closed') OR "sla_paused_at" IS NOT NULL THEN 'infinity'::timestamptz
    ELSE coalesce(least(CASE WHEN "first_response_at" IS NULL THEN "first_response_due_at" END, "resolution_due_at"), 'infinity'::timestamptz)
  END
) STORED;--> statement-breakpoint
CREATE INDEX "tickets_queue_due_idx" ON "tickets" ("queue_key", "sla_due_at", "id");--> statement-breakpoint
CREATE INDEX "tickets_queue_status_due_idx" ON "tickets" ("queue_key", "status", "sla_due_at", "id");--> statement-breakpoint
CREATE INDEX "tickets_unassigned_due_idx" ON "tickets" ("queue_key", "status", "sla_due_at", "id") WHERE "assignee_id" IS NULL;--> statement-breakpoint
CREATE INDEX "tickets_due_idx" ON "tickets" ("sla_due_at", "id");--> statement-breakpoint
CREATE INDEX "tickets_queue_updated_idx" ON "tickets" ("queue_key", "updated_at", "id");--> statement-breakpoint
CREATE INDEX "tickets_updated_idx" ON "tickets" ("updated_at", "id");--> statement-breakpoint
CREATE TABLE "ticket_search" (
  "ticket_id" integer PRIMARY KEY NOT NULL REFERENCES "tickets"("id"),
  "public_doc" tsvector NOT NULL DEFAULT ''::tsvector,
  "internal_doc" tsvector NOT NULL DEFAULT ''::tsvector
);--> statement-breakpoint
INSERT INTO "ticket_search" ("ticket_id", "public_doc", "internal_doc")
SELECT t."id",
  setweight(to_tsvector('desk_search', t."key"), 'A')
    || setweight(to_tsvector('desk_search', t."title"), 'A')
    || setweight(to_tsvector('desk_search', left(t."description", 10000)), 'B')
    || setweight(to_tsvector('desk_search', coalesce((SELECT string_agg(f.value, ' ') FROM jsonb_each_text(CASE WHEN jsonb_typeof(t."fields") = 'object' THEN t."fields" ELSE '{}'::jsonb END) f), '')), 'C')
    || to_tsvector('desk_search', coalesce((SELECT string_agg(left(e."body", 10000), ' ' ORDER BY e."id") FROM "ticket_events" e WHERE e."ticket_id" = t."id" AND e."type" = 'comment' AND e."visibility" = 'public'), '')),
  to_tsvector('desk_search', coalesce((SELECT string_agg(left(e."body", 10000), ' ' ORDER BY e."id") FROM "ticket_events" e WHERE e."ticket_id" = t."id" AND e."type" = 'comment' AND e."visibility" = 'internal'), ''))
FROM "tickets" t
ON CONFLICT ("ticket_id") DO NOTHING;--> statement-breakpoint
CREATE INDEX "ticket_search_public_idx" ON "ticket_search" USING gin ("public_doc");--> statement-breakpoint
CREATE INDEX "ticket_search_internal_idx" ON "ticket_search" USING gin ("internal_doc");
