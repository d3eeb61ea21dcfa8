CREATE INDEX IF NOT EXISTS "tickets_queue_closed_unresolved_idx" ON "tickets" USING btree ("queue_key","closed_at") WHERE "resolved_at" IS NULL AND "closed_at" IS NOT NULL;
