-- Codes made before these columns bind to nothing: they go (a code lives 30 minutes; the owner asks again).
DELETE FROM "password_recovery_codes";--> statement-breakpoint
ALTER TABLE "password_recovery_codes" ADD COLUMN "sent_to" text NOT NULL;--> statement-breakpoint
ALTER TABLE "password_recovery_codes" ADD COLUMN "password_set_at" timestamp (3) with time zone NOT NULL;