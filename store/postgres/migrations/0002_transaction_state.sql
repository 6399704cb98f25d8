-- The protocol layer's own state of a transaction (cmp.Transaction as JSON),
-- kept opaque by the store so that a pollReq or certConf finds it after a
-- restart or on another replica.
ALTER TABLE transactions ADD COLUMN state BYTEA;
