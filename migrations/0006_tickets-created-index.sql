CREATE INDEX IF NOT EXISTS "tickets_queue_created_idx" ON "tickets" USING btree ("queue_key","created_at");
