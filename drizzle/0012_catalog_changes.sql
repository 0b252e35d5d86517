-- A change to either catalog is announced on the channel of the principal changes when it commits
-- ('catalog:changed', once per statement, TRUNCATE included): every process drops its cached catalogs
-- (src/store/catalog-store.ts).
CREATE FUNCTION "kith_announce_catalog_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('kith_principal_changes', 'catalog:changed');
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "attribute_definitions_announce_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "attribute_definitions"
	FOR EACH STATEMENT EXECUTE FUNCTION "kith_announce_catalog_change"();
--> statement-breakpoint
CREATE TRIGGER "consent_purposes_announce_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "consent_purposes"
	FOR EACH STATEMENT EXECUTE FUNCTION "kith_announce_catalog_change"();
