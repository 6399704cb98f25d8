-- One-time things used once, ever (store.Tx.ClaimOnce): the unique key
-- is what keeps two replicas from both accepting one one-time secret.
CREATE TABLE claims (
	key        BLOB    NOT NULL PRIMARY KEY,
	claimed_at INTEGER NOT NULL
) WITHOUT ROWID;
