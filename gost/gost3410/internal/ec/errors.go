package ec

import "errors"

var (
	errLength   = errors.New("gost3410: public key has the wrong length")
	errRange    = errors.New("gost3410: public key coordinate is not below the field prime")
	errOffCurve = errors.New("gost3410: public key is not on the curve")
	errSubgroup = errors.New("gost3410: public key is not in the prime-order subgroup")
	errInfinity = errors.New("gost3410: result is the point at infinity")
)
