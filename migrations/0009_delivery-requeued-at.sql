ALTER TABLE "deliveries" ADD COLUMN "requeued_at" timestamp with time zone;
