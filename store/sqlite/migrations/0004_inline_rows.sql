-- PostgreSQL's migration 0004 keeps rows of a few kilobytes inline and
-- uncompressed; SQLite never compresses rows and needs nothing: this
-- migration keeps the two engines' numbers in step.
SELECT 1;
