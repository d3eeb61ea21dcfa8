ALTER TABLE "people" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "manager_id" integer;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "department" text;--> statement-breakpoint
CREATE TABLE "desk_roles" (
	"person_id" integer NOT NULL REFERENCES "people"("id"),
	"queue_key" text NOT NULL,
	"role" text NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "desk_roles_uq" ON "desk_roles" USING btree ("person_id","queue_key");--> statement-breakpoint
CREATE INDEX "desk_roles_queue_idx" ON "desk_roles" USING btree ("queue_key","role");
