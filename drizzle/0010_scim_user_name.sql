ALTER TABLE "scim_users" ADD COLUMN "user_name" text;--> statement-breakpoint
UPDATE "scim_users" SET "user_name" = "customers"."email" FROM "customers" WHERE "customers"."id" = "scim_users"."customer_id";--> statement-breakpoint
ALTER TABLE "scim_users" ALTER COLUMN "user_name" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "scim_users_user_name_idx" ON "scim_users" USING btree (lower("user_name"));
