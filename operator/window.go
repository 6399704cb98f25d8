package operator

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"rekey/pki"
)

// RenewalWindow is the time the operator suggests a subscriber renew a
// certificate in, for the genm answer: from Start (inclusive) until End
// (exclusive), the beginning of the key's last day in the operator's time
// zone, after which only an office visit renews (S5).
type RenewalWindow struct {
	Start, End time.Time
}

// RenewalWindow returns the suggested window of cert. Start is the earlier
// of Fraction of the key's lifetime and Before its end, moved later by a
// part of Jitter that depends only on the certificate, so that
// subscribers enrolled on one day do not all come back on one day, and a
// subscriber asking twice gets the same answer. Start never passes the
// middle of the window. A certificate whose window has passed gets an
// empty window (Start equal to End).
func (ca *CA) RenewalWindow(cert *pki.Certificate) RenewalWindow {
	w := ca.cfg.RenewalWindow
	from, keyEnd := cert.NotBefore, cert.KeyExpires()
	end := startOfDay(keyEnd, ca.loc).UTC()
	if !end.After(from) {
		return RenewalWindow{Start: end, End: end}
	}
	life := keyEnd.Sub(from)
	start := from.Add(time.Duration(float64(life) * w.Fraction))
	if before := keyEnd.Add(-w.Before.D()); before.Before(start) {
		start = before
	}
	start = laterOf(start, from)
	if !start.Before(end) {
		return RenewalWindow{Start: end, End: end}
	}
	jitter := min(w.Jitter.D(), end.Sub(start)/2)
	if jitter > 0 {
		h := sha256.Sum256(cert.Raw)
		start = start.Add(time.Duration(binary.BigEndian.Uint64(h[:8]) % uint64(jitter)))
	}
	return RenewalWindow{Start: start.UTC().Truncate(time.Second), End: end}
}
