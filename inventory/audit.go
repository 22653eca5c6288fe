package inventory

import "fmt"

// Violation is one broken stock invariant found by a store's audit
// (`hawker audit`): a SKU whose counters exceed its stock or disagree with
// its orders, or a deal whose taken units disagree with its orders or
// leave 0..quantity.
type Violation struct {
	SKUID  string // the SKU at fault (also set for a deal's violation)
	DealID string // the deal at fault, "" for a SKU's violation
	// Problem says what is wrong, with the figures, for people.
	Problem string
}

func (v Violation) String() string {
	if v.DealID != "" {
		return "deal " + v.DealID + " of SKU " + v.SKUID + ": " + v.Problem
	}
	return "SKU " + v.SKUID + ": " + v.Problem
}

// AuditSKU checks one SKU's stored counters against its stock and against
// the units of its reserved and of its paid or fulfilled orders. Stores
// call it from their audits.
func AuditSKU(skuID string, onHand, reserved, sold, orderReserved, orderSold int64) []Violation {
	var out []Violation
	add := func(format string, args ...any) {
		out = append(out, Violation{SKUID: skuID, Problem: fmt.Sprintf(format, args...)})
	}
	if reserved < 0 || sold < 0 {
		add("negative counter: reserved %d, sold %d", reserved, sold)
	}
	if reserved+sold > onHand {
		add("oversold: reserved %d + sold %d > on_hand %d", reserved, sold, onHand)
	}
	if reserved != orderReserved {
		add("reserved %d, but reserved orders hold %d", reserved, orderReserved)
	}
	if sold != orderSold {
		add("sold %d, but paid and fulfilled orders hold %d", sold, orderSold)
	}
	return out
}

// AuditDeal checks one deal's taken units against its quantity and the
// units of its live orders.
func AuditDeal(dealID, skuID string, quantity, taken, orderUnits int64) []Violation {
	var out []Violation
	if taken < 0 || taken > quantity {
		out = append(out, Violation{SKUID: skuID, DealID: dealID, Problem: fmt.Sprintf("taken %d outside 0..%d", taken, quantity)})
	}
	if taken != orderUnits {
		out = append(out, Violation{SKUID: skuID, DealID: dealID, Problem: fmt.Sprintf("taken %d, but live orders hold %d", taken, orderUnits)})
	}
	return out
}
