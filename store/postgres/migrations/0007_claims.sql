-- One-time things used once, ever (store.Tx.ClaimOnce): the unique key
-- is what keeps two replicas from both accepting one one-time secret.
CREATE TABLE claims (
	key        BYTEA       NOT NULL,
	claimed_at TIMESTAMPTZ NOT NULL,
	CONSTRAINT claims_pkey PRIMARY KEY (key)
);
