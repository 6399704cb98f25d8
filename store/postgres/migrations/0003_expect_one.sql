-- rekey_expect_one(n, current) makes a compare-and-set write fail in the
-- database when it changed no row, so that the write can be sent ahead in
-- a pipeline, with the next statement or the COMMIT, and still stop the
-- transaction. n is the number of rows the write changed; current is the
-- row's state then, NULL when the row is missing. The SQLSTATEs are the
-- store's own: RKN01 no such row, RKS01 the row is in another state (the
-- DETAIL holds it).
CREATE FUNCTION rekey_expect_one(n BIGINT, current TEXT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
BEGIN
	IF n = 1 THEN
		RETURN n;
	END IF;
	IF current IS NULL THEN
		RAISE EXCEPTION 'rekey: the row to change is missing' USING ERRCODE = 'RKN01';
	END IF;
	RAISE EXCEPTION 'rekey: the row changed meanwhile'
		USING ERRCODE = 'RKS01', DETAIL = current;
END
$$;
