-- The operator's schema, SQLite dialect. Times are INTEGER microseconds
-- since the Unix epoch, UTC. Keep in step with postgres/migrations.

CREATE TABLE subscribers (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	subject_der  BLOB    NOT NULL UNIQUE,
	subject_json TEXT    NOT NULL,
	contact      TEXT    NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL
);

CREATE TABLE rate_counters (
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
	bucket        TEXT    NOT NULL,
	window_start  INTEGER NOT NULL,
	count         INTEGER NOT NULL,
	PRIMARY KEY (subscriber_id, bucket)
);

CREATE TABLE requests (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	subscriber_id  INTEGER NOT NULL REFERENCES subscribers (id),
	transaction_id BLOB    NOT NULL,
	message        BLOB    NOT NULL,
	signer_serial  BLOB,
	spki_sha256    BLOB,
	state          TEXT    NOT NULL CHECK (state IN ('received', 'waiting', 'approved',
		'issued', 'confirmed', 'rejected', 'expired')),
	reason         TEXT    NOT NULL DEFAULT '',
	received_at    INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	decided_at     INTEGER,
	decided_by     TEXT    NOT NULL DEFAULT '',
	UNIQUE (subscriber_id, transaction_id)
);
CREATE INDEX requests_state ON requests (state, received_at);

-- A serial is reserved before anything is signed with it (O8); a request
-- has at most one.
CREATE TABLE serials (
	serial      BLOB    PRIMARY KEY,
	issuer      BLOB    NOT NULL,
	request_id  INTEGER UNIQUE REFERENCES requests (id),
	reserved_at INTEGER NOT NULL
);

CREATE TABLE certificates (
	serial            BLOB    PRIMARY KEY REFERENCES serials (serial),
	issuer            BLOB    NOT NULL,
	subscriber_id     INTEGER NOT NULL REFERENCES subscribers (id),
	request_id        INTEGER UNIQUE REFERENCES requests (id),
	der               BLOB    NOT NULL,
	spki_sha256       BLOB    NOT NULL UNIQUE,
	not_before        INTEGER NOT NULL,
	not_after         INTEGER NOT NULL,
	key_expires       INTEGER NOT NULL,
	issued_at         INTEGER NOT NULL,
	status            TEXT    NOT NULL CHECK (status IN ('valid', 'revoked')),
	revocation_reason INTEGER,
	revoked_at        INTEGER
);
CREATE INDEX certificates_subscriber ON certificates (subscriber_id);
CREATE INDEX certificates_not_after ON certificates (not_after);
CREATE INDEX certificates_revoked ON certificates (issuer) WHERE status = 'revoked';

CREATE TABLE crl_numbers (
	issuer BLOB    PRIMARY KEY,
	number INTEGER NOT NULL
);

CREATE TABLE transactions (
	sender         BLOB    NOT NULL,
	transaction_id BLOB    NOT NULL,
	request_id     INTEGER REFERENCES requests (id),
	sender_nonce   BLOB,
	recip_nonce    BLOB,
	expect         TEXT    NOT NULL DEFAULT '',
	version        INTEGER NOT NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	expires_at     INTEGER NOT NULL,
	PRIMARY KEY (sender, transaction_id)
);
CREATE INDEX transactions_expires ON transactions (expires_at);

CREATE TABLE nonces (
	sender     BLOB    NOT NULL,
	nonce      BLOB    NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (sender, nonce)
);
CREATE INDEX nonces_expires ON nonces (expires_at);

CREATE TABLE mailbox (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	subscriber_id  INTEGER NOT NULL REFERENCES subscribers (id),
	transaction_id BLOB,
	kind           TEXT    NOT NULL,
	body           BLOB    NOT NULL,
	created_at     INTEGER NOT NULL,
	acked_at       INTEGER
);
CREATE INDEX mailbox_pending ON mailbox (subscriber_id, id) WHERE acked_at IS NULL;

-- The audit chain and its head; the head row is the append lock.
CREATE TABLE audit_log (
	seq       INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	actor     TEXT    NOT NULL,
	action    TEXT    NOT NULL,
	object    TEXT    NOT NULL,
	details   BLOB    NOT NULL,
	prev_hash BLOB    NOT NULL,
	hash      BLOB    NOT NULL
);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash BLOB    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
