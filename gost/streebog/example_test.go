package streebog_test

import (
	"fmt"

	"rekey/gost/streebog"
)

func ExampleSum256() {
	fmt.Printf("%x\n", streebog.Sum256([]byte("abc")))
	// Output: 4e2919cf137ed41ec4fb6270c61826cc4fffb660341e0af3688cd0626d23b481
}

func ExampleNew512() {
	h := streebog.New512()
	h.Write([]byte("a"))
	h.Write([]byte("bc"))
	fmt.Printf("%x\n", h.Sum(nil)[:8])
	// Output: 28156e28317da7c9
}
