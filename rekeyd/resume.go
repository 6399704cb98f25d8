package rekeyd

import (
	"context"
	"errors"
	"fmt"

	"rekey/store"
)

// ResumeIssuance finishes the issuances a crash interrupted, as package
// store promises: every approved request with a serial reserved and no
// certificate (the server stopped between the reservation and the
// record) is signed now under that serial, never under a new one, and
// the request becomes issued; its subscriber receives the certificate
// when it polls or resends its kur (the transaction's answer, not a
// second certificate). Approved requests without a reservation (an
// operator's approval) are left for the subscriber's next poll. Serve
// calls it before it answers requests.
//
// It returns how many certificates it issued. A request it cannot issue
// stays as it was, for the subscriber's next message; the errors are
// returned together. Run by a replica while another is signing the same
// request, one of the two signatures is discarded and never leaves the
// CA (operator.CA.Issue).
func (op *Operator) ResumeIssuance(ctx context.Context) (int, error) {
	if err := op.requireCA(); err != nil {
		return 0, err
	}
	reqs, err := op.Store.ListRequests(ctx, store.RequestQuery{
		States: []store.State{store.StateApproved}})
	if err != nil {
		return 0, fmt.Errorf("rekeyd: listing approved requests: %w", err)
	}
	n := 0
	var errs []error
	for _, r := range reqs {
		_, err := op.Store.ReservationByRequest(ctx, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("rekeyd: reservation of request %d: %w", r.ID, err))
			continue
		}
		out, err := op.renewals.Status(ctx, r.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("rekeyd: resuming request %d: %w", r.ID, err))
			continue
		}
		if out.Issued != nil && !out.Issued.Again {
			op.metrics.issued.Inc()
			n++
		}
	}
	return n, errors.Join(errs...)
}
