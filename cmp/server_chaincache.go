package cmp

import (
	"crypto/sha256"
	"sync"
	"time"

	"rekey/pki"
)

// chainCacheSize bounds the verified chains a Server remembers.
const chainCacheSize = 4096

// chainCache remembers the protection certificate chains a Server
// verified, so that the kur, pollReq and certConf of one subscriber are
// not verified three times. A chain is found by the SHA-256 of the
// protection certificate and of every extraCert offered with it (the
// Server's roots and intermediates are fixed), which are all the inputs
// of pki.Verify but the time; a hit is used only when the time is within
// the validity of every certificate of the chain, the one check of
// pki.Verify that depends on it. Only successful verifications are kept.
type chainCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]cachedChain
}

type cachedChain struct {
	chain     []*pki.Certificate
	notBefore time.Time // the latest NotBefore of the chain
	notAfter  time.Time // the earliest NotAfter of the chain
}

func chainKey(signer *pki.Certificate, extra []*pki.Certificate) [sha256.Size]byte {
	h := sha256.New()
	for _, c := range append([]*pki.Certificate{signer}, extra...) {
		d := sha256.Sum256(c.Raw)
		h.Write(d[:])
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// get returns the chain verified for key if it is valid at t.
func (c *chainCache) get(key [sha256.Size]byte, t time.Time) ([]*pki.Certificate, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || t.Before(e.notBefore) || t.After(e.notAfter) {
		return nil, false
	}
	return e.chain, true
}

// put remembers a verified chain; when full, it forgets everything first.
func (c *chainCache) put(key [sha256.Size]byte, chain []*pki.Certificate) {
	if len(chain) == 0 {
		return
	}
	e := cachedChain{chain: chain, notBefore: chain[0].NotBefore, notAfter: chain[0].NotAfter}
	for _, x := range chain[1:] {
		if x.NotBefore.After(e.notBefore) {
			e.notBefore = x.NotBefore
		}
		if x.NotAfter.Before(e.notAfter) {
			e.notAfter = x.NotAfter
		}
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= chainCacheSize {
		c.m = make(map[[sha256.Size]byte]cachedChain)
	}
	c.m[key] = e
	c.mu.Unlock()
}
