package cms

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func TestToDER(t *testing.T) {
	tests := []struct {
		name, ber, der string // hex; der "" means an error
	}{
		{"DER unchanged", "3003020101", "3003020101"},
		{"indefinite SEQUENCE", "30800201010000", "3003020101"},
		{"nested indefinite", "3080a08002010100000000", "3005a003020101"},
		{"constructed OCTET STRING", "2480040161040262630000", "0403616263"},
		{"nested constructed OCTET STRING", "24802480040161000004016200", ""},
		{"nested constructed OCTET STRING, ended", "248024800401610000040162 0000", "04026162"},
		{"long-form length", "30810302 0101", "3003020101"},
		{"missing end-of-contents", "3080020101", ""},
		{"indefinite primitive", "0480616200 00", ""},
		{"length beyond the input", "3005020101", ""},
		{"trailing data", "300302010100", ""},
		{"non-string inside OCTET STRING", "24800201010000", ""},
	}
	for _, tt := range tests {
		in, err := hex.DecodeString(strings.ReplaceAll(tt.ber, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		got, err := toDER(in)
		want, _ := hex.DecodeString(tt.der)
		switch {
		case tt.der == "" && err == nil:
			t.Errorf("%s: got %x, want an error", tt.name, got)
		case tt.der != "" && (err != nil || !bytes.Equal(got, want)):
			t.Errorf("%s: got %x, %v, want %s", tt.name, got, err, tt.der)
		}
	}
	deep := strings.Repeat("3080", maxBERDepth+2) + strings.Repeat("0000", maxBERDepth+2)
	in, _ := hex.DecodeString(deep)
	if _, err := toDER(in); err == nil {
		t.Error("deep nesting: got no error")
	}
}
