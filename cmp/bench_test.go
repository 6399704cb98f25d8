package cmp

import (
	"context"
	"testing"
)

// transportFunc is a Transport of a function: the Server in-process.
type transportFunc func(ctx context.Context, der []byte) ([]byte, error)

func (f transportFunc) Exchange(ctx context.Context, der []byte) ([]byte, error) {
	return f(ctx, der)
}

// benchEnv is a GOST CA with the in-memory Authority, a Client calling
// its Server.Handle directly, and the credentials of one subscriber.
type benchEnv struct {
	*testEnv
	cred *Credentials
	// handle, when set, is called around Server.Handle of each request
	// (start, stop: the benchmark's timer).
	handle func(typ BodyType, start bool)
	msgs   map[BodyType][]byte // the last request and response of each type
}

func newBenchEnv(b *testing.B) *benchEnv {
	e := &benchEnv{testEnv: newTestEnv(b, "gost256", nil), msgs: map[BodyType][]byte{}}
	e.client.Transport = transportFunc(func(ctx context.Context, der []byte) ([]byte, error) {
		typ := BodyType(-1)
		if m, err := ParseMessage(der); err == nil {
			typ = m.Body.Type
		}
		if e.handle != nil {
			e.handle(typ, true)
		}
		out := e.srv.Handle(ctx, der)
		if e.handle != nil {
			e.handle(typ, false)
		}
		e.msgs[typ] = der
		if r, err := ParseMessage(out.Response); err == nil {
			e.msgs[r.Body.Type] = out.Response
		}
		return out.Response, nil
	})
	e.cred = e.enroll(b, "Петров Пётр")
	e.renew(b)
	return e
}

// renew runs kur → kup, certConf → pkiConf with a fresh key, and makes the
// new certificate the subscriber's: every renewal is signed by a key the
// Server has not seen, as with many subscribers.
func (e *benchEnv) renew(b *testing.B) {
	key := newKey(b, "gost256")
	ctx := context.Background()
	res, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: e.cred.Certificate,
		CurrentKey: e.cred.Key, NewKey: key})
	if err != nil {
		b.Fatalf("UpdateKey: %v", err)
	}
	if err := e.client.Confirm(ctx, res.State, e.cred, true); err != nil {
		b.Fatalf("Confirm: %v", err)
	}
	e.cred = SignatureCredentials(res.Certificate, key)
}

// BenchmarkRenewal is a whole renewal in-process, client and server:
// UpdateKey and Confirm (the fresh key made outside the timer).
func BenchmarkRenewal(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		key := newKey(b, "gost256")
		b.StartTimer()
		res, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: e.cred.Certificate,
			CurrentKey: e.cred.Key, NewKey: key})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.client.Confirm(ctx, res.State, e.cred, true); err != nil {
			b.Fatal(err)
		}
		e.cred = SignatureCredentials(res.Certificate, key)
	}
}

// benchmarkHandle times Server.Handle of the requests of type typ of a
// renewal only.
func benchmarkHandle(b *testing.B, typ BodyType) {
	e := newBenchEnv(b)
	e.handle = func(t BodyType, start bool) {
		if t != typ {
			return
		}
		if start {
			b.StartTimer()
		} else {
			b.StopTimer()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		e.renew(b)
	}
}

func BenchmarkServerHandleKUR(b *testing.B)      { benchmarkHandle(b, TypeKUR) }
func BenchmarkServerHandleCertConf(b *testing.B) { benchmarkHandle(b, TypeCertConf) }

func benchmarkParse(b *testing.B, typ BodyType) {
	e := newBenchEnv(b)
	der := e.msgs[typ]
	b.ReportAllocs()
	b.SetBytes(int64(len(der)))
	b.ResetTimer()
	for range b.N {
		if _, err := ParseMessage(der); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseKUR(b *testing.B)      { benchmarkParse(b, TypeKUR) }
func BenchmarkParseKUP(b *testing.B)      { benchmarkParse(b, TypeKUP) }
func BenchmarkParseCertConf(b *testing.B) { benchmarkParse(b, TypeCertConf) }
func BenchmarkParsePKIConf(b *testing.B)  { benchmarkParse(b, TypePKIConf) }

func benchmarkMarshal(b *testing.B, typ BodyType) {
	e := newBenchEnv(b)
	m, err := ParseMessage(e.msgs[typ])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := m.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalKUR(b *testing.B)      { benchmarkMarshal(b, TypeKUR) }
func BenchmarkMarshalKUP(b *testing.B)      { benchmarkMarshal(b, TypeKUP) }
func BenchmarkMarshalCertConf(b *testing.B) { benchmarkMarshal(b, TypeCertConf) }
