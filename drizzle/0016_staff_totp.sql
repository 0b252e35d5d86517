ALTER TABLE "staff_members" ADD COLUMN "totp_sealed_secret" text;--> statement-breakpoint
ALTER TABLE "staff_members" ADD COLUMN "totp_confirmed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "staff_members" ADD COLUMN "totp_last_step" bigint;--> statement-breakpoint
ALTER TABLE "staff_members" ADD COLUMN "totp_failed_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "staff_members" ADD COLUMN "totp_lockouts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "staff_members" ADD COLUMN "totp_locked_until" timestamp (3) with time zone;