-- A process takes request IDs 64 at a time (store/postgres
-- requestIDBlock), so that it can name a request before inserting it and
-- send the insert ahead in a pipeline. IDs stay unique and grow; across
-- replicas they interleave by block, so received_at, not id, orders
-- requests in time.
ALTER TABLE requests ALTER COLUMN id SET INCREMENT BY 64;
