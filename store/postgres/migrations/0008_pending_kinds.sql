-- The unacknowledged messages of one kind, oldest first, of every
-- subscriber (store.Tx.ListMessages: the markers of one-time secrets whose
-- certificate may never have been delivered).
CREATE INDEX mailbox_kind_pending ON mailbox (kind, created_at) WHERE acked_at IS NULL;
