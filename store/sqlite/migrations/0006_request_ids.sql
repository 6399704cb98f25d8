-- PostgreSQL's migration 0006 lets a process take request IDs in blocks;
-- SQLite inserts in the process and reads the ID at once: this migration
-- keeps the two engines' numbers in step.
SELECT 1;
