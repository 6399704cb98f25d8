-- A request's message, a transaction's state and a certificate are a few
-- kilobytes of DER each, which compresses poorly. Past about 2 kB a row is
-- compressed (pglz) before it is stored, and decompressed on every read;
-- keeping rows of up to a page inline and uncompressed saves that work on
-- every renewal for a little more space.
ALTER TABLE requests SET (toast_tuple_target = 8160);
ALTER TABLE transactions SET (toast_tuple_target = 8160);
ALTER TABLE certificates SET (toast_tuple_target = 8160);
ALTER TABLE mailbox SET (toast_tuple_target = 8160);
