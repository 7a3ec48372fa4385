-- SQLite's migration 0002 adds a trigger that lets a message be appended in one statement.
-- PostgreSQL appends under an explicit row lock in a few statements (see postgres/writer.rs)
-- and needs no schema change; this file keeps both dialects on the same migration numbers.
SELECT 1;
