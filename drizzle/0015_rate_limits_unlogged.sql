-- Rate-limit counters live for a minute or so: they need no WAL. Writing them unlogged spares each sign-in
-- attempt two WAL flushes; after a crash PostgreSQL empties the table (the counts start again), and a
-- standby does not have it (a promoted standby starts with no counts).
ALTER TABLE "rate_limits" SET UNLOGGED;
