package rekeyd

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"rekey/cmp"
)

// fullTransaction returns a transaction with every field set to a value
// of its own, found by reflection, so that a field added to
// cmp.Transaction and forgotten by encodeTxState fails the round trip.
func fullTransaction(t *testing.T) *cmp.Transaction {
	t.Helper()
	var tx cmp.Transaction
	v := reflect.ValueOf(&tx).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		name := v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.Slice:
			if f.Type().Elem().Kind() == reflect.Slice { // [][]byte
				f.Set(reflect.ValueOf([][]byte{[]byte(name + "1"), []byte(name + "2")}))
			} else {
				f.SetBytes([]byte(name))
			}
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Struct:
			if f.Type() != reflect.TypeOf(time.Time{}) {
				t.Fatalf("cmp.Transaction.%s: a struct field the test does not know", name)
			}
			f.Set(reflect.ValueOf(time.Date(2026, 12, 4, 10, i, 7, 123456789, time.UTC)))
		default:
			t.Fatalf("cmp.Transaction.%s: a field of kind %s the test does not know", name,
				f.Kind())
		}
	}
	tx.Version = 0 // kept in the row, not in the state
	return &tx
}

func TestTxStateRoundTrip(t *testing.T) {
	for _, tx := range []*cmp.Transaction{fullTransaction(t), {ID: []byte{1}}, {}} {
		b, err := encodeTxState(tx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeTxState(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tx) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, tx)
		}
	}
}

// TestTxStateReadsJSON reads a state stored as JSON by rekeyd before the
// binary form.
func TestTxStateReadsJSON(t *testing.T) {
	tx := fullTransaction(t)
	old, err := json.Marshal(tx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeTxState(old)
	if err != nil {
		t.Fatal(err)
	}
	got.Version = 0
	for _, tm := range []*time.Time{&got.ConfirmBy, &got.Created, &got.Updated, &got.Expires} {
		*tm = tm.UTC()
	}
	if !reflect.DeepEqual(got, tx) {
		t.Errorf("JSON state:\n got %+v\nwant %+v", got, tx)
	}
}

func TestTxStateRefusesMalformed(t *testing.T) {
	good, err := encodeTxState(fullTransaction(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":      nil,
		"version 2":  append([]byte{2}, good[1:]...),
		"truncated":  good[:len(good)-1],
		"trailing":   append(bytes.Clone(good), 0),
		"bad JSON":   []byte(`{"ID":`),
		"only magic": {txStateV1},
	} {
		if _, err := decodeTxState(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzDecodeTxState: a stored state never panics, and one that decodes
// encodes to a state that decodes and encodes to the same bytes.
func FuzzDecodeTxState(f *testing.F) {
	seeds := []*cmp.Transaction{{ID: []byte("id"), State: cmp.TxIssued,
		CAPubs: [][]byte{{1, 2}}, Created: time.Unix(1, 2).UTC()}, {}}
	for _, tx := range seeds {
		b, err := encodeTxState(tx)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		j, _ := json.Marshal(tx)
		f.Add(j)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, err := decodeTxState(data)
		if err != nil {
			return
		}
		tx.Version = 0
		b, err := encodeTxState(tx)
		if err != nil {
			return // a JSON state with more CA certificates than the binary form takes
		}
		again, err := decodeTxState(b)
		if err != nil {
			t.Fatalf("a decoded state does not decode again: %v", err)
		}
		// Empty and absent byte strings are one in the binary form (JSON
		// keeps them apart), so compare encodings.
		b2, err := encodeTxState(again)
		if err != nil || !bytes.Equal(b2, b) {
			t.Fatalf("round trip changed the state (%v):\n%+v\n%+v", err, again, tx)
		}
	})
}
