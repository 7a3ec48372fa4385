-- PostgreSQL's migration 0003 adds the one-statement append there (SQLite got it in 0002);
-- nothing changes here, and this file keeps both dialects on the same migration numbers.
SELECT 1;
