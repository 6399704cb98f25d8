package softhsmtest

import (
	"os/exec"
	"strings"
	"testing"
)

func TestRequire(t *testing.T) {
	a := Require(t)
	b := Require(t)
	if a.Label == b.Label || a.Slot == b.Slot {
		t.Errorf("two tokens share label or slot: %+v %+v", a, b)
	}
	out, err := exec.Command("softhsm2-util", "--show-slots").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []*Token{a, b} {
		if !strings.Contains(string(out), tok.Label) {
			t.Errorf("token %s is not listed:\n%s", tok.Label, out)
		}
	}
}
