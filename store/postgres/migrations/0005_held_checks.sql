-- Checks that fail in the database, so that the renewal policy's rate
-- count and its look for a new key certified before can be sent ahead in
-- a pipeline with the statements after them, like the writes of 0003.
-- The SQLSTATEs are the store's own: RKR01 the rate limit is passed,
-- RKU01 the key has a certificate.
CREATE FUNCTION rekey_expect_at_most(n BIGINT, max BIGINT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
BEGIN
	IF n <= max THEN
		RETURN n;
	END IF;
	RAISE EXCEPTION 'rekey: % of at most % counted', n, max USING ERRCODE = 'RKR01';
END
$$;

CREATE FUNCTION rekey_expect_none(n BIGINT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
BEGIN
	IF n = 0 THEN
		RETURN n;
	END IF;
	RAISE EXCEPTION 'rekey: the key has a certificate' USING ERRCODE = 'RKU01';
END
$$;
