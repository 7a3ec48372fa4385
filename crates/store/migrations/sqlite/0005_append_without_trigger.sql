-- PostgreSQL's migration 0005 drops its append trigger and some foreign keys. SQLite
-- keeps its trigger (migration 0002): SQLite runs it as part of the statement, at no cost
-- worth removing. Nothing changes here; this file keeps both dialects on the same numbers.
SELECT 1;
