-- PostgreSQL's migration 0003 adds the function that lets a write fail in
-- the database when it changed no row, for its pipeline. SQLite runs its
-- statements in the process, one after the other, and needs nothing: this
-- migration keeps the two engines' numbers in step. (A migration of
-- comments alone is an empty statement, which the driver cannot run.)
SELECT 1;
