ALTER TABLE "queues" ADD COLUMN "assignment" text DEFAULT 'none' NOT NULL;
