package hawker

import (
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
)

func inclusiveMarket(code, cur string, bps int64) *Market {
	return &Market{Code: code, Currency: cur, TaxMode: TaxInclusive, TaxRateBps: bps}
}

func exclusiveMarket(code, cur string, bps int64, regions map[string]int64) *Market {
	return &Market{Code: code, Currency: cur, TaxMode: TaxExclusive, TaxRateBps: bps, RegionTaxBps: regions}
}

func usd(n int64) Money { return Money{Amount: n, Currency: "USD"} }

func TestTotalsInclusive(t *testing.T) {
	gb := inclusiveMarket("GB", "GBP", 2000)
	got, err := gb.Totals([]LineInput{{UnitPrice: 1299, Quantity: 1}, {UnitPrice: 1000, Quantity: 3}}, "ignored", 399)
	if err != nil {
		t.Fatal(err)
	}
	// 1299 × 2000/12000 = 216.5 → 216 (tie, to even); 3000/6 = 500 exactly.
	want := Totals{
		Lines: []LineTotal{
			{UnitPrice: 1299, Quantity: 1, Total: 1299, Tax: 216},
			{UnitPrice: 1000, Quantity: 3, Total: 3000, Tax: 500},
		},
		Subtotal: Money{4299, "GBP"},
		Tax:      Money{716, "GBP"},
		Shipping: Money{399, "GBP"},
		Total:    Money{4698, "GBP"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestTotalsExclusiveRegions(t *testing.T) {
	us := exclusiveMarket("US", "USD", 0, map[string]int64{"CA": 725, "OR": 0})
	lines := []LineInput{{UnitPrice: 200, Quantity: 1}, {UnitPrice: 300, Quantity: 2}, {UnitPrice: 1999, Quantity: 3}}
	for _, tc := range []struct {
		name, region  string
		tax           int64
		lineTaxes     []int64
		subtotalTotal int64
	}{
		// 200 × 7.25 % = 14.5 → 14; 600 → 43.5 → 44; 5997 → 434.7825 → 435.
		{"CA", "CA", 493, []int64{14, 44, 435}, 6797},
		{"lower case region", "ca", 493, []int64{14, 44, 435}, 6797},
		{"zero-rate state", "OR", 0, []int64{0, 0, 0}, 6797},
		{"no region uses base rate", "", 0, []int64{0, 0, 0}, 6797},
		{"unknown region uses base rate", "ZZ", 0, []int64{0, 0, 0}, 6797},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := us.Totals(lines, tc.region, 500)
			if err != nil {
				t.Fatal(err)
			}
			for i, lt := range got.Lines {
				if lt.Tax != tc.lineTaxes[i] {
					t.Errorf("line %d tax = %d, want %d", i, lt.Tax, tc.lineTaxes[i])
				}
			}
			if got.Subtotal != usd(tc.subtotalTotal) || got.Tax != usd(tc.tax) || got.Shipping != usd(500) ||
				got.Total != usd(tc.subtotalTotal+tc.tax+500) {
				t.Errorf("got %+v", got)
			}
		})
	}

	base := exclusiveMarket("XX", "USD", 1000, map[string]int64{"A": 500})
	got, err := base.Totals([]LineInput{{UnitPrice: 1000, Quantity: 1}}, "B", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tax.Amount != 100 {
		t.Errorf("tax for a region without its own rate = %d, want the base 100", got.Tax.Amount)
	}
}

func TestTotalsHalfEven(t *testing.T) {
	for _, tc := range []struct {
		name  string
		m     *Market
		total int64
		tax   int64
	}{
		// Exclusive 50 %: tax = total / 2.
		{"excl 0.5 → 0", exclusiveMarket("X", "USD", 5000, nil), 1, 0},
		{"excl 1.5 → 2", exclusiveMarket("X", "USD", 5000, nil), 3, 2},
		{"excl 2.5 → 2", exclusiveMarket("X", "USD", 5000, nil), 5, 2},
		{"excl 3.5 → 4", exclusiveMarket("X", "USD", 5000, nil), 7, 4},
		{"excl 2.4 → 2", exclusiveMarket("X", "USD", 2000, nil), 12, 2},
		{"excl 2.6 → 3", exclusiveMarket("X", "USD", 2000, nil), 13, 3},
		// Inclusive 100 %: tax = total × 10000 / 20000 = total / 2.
		{"incl 2.5 → 2", inclusiveMarket("X", "USD", 10000), 5, 2},
		{"incl 3.5 → 4", inclusiveMarket("X", "USD", 10000), 7, 4},
		// Inclusive 20 %: tax = total / 6.
		{"incl 216.5 → 216", inclusiveMarket("X", "GBP", 2000), 1299, 216},
		{"incl 217.5 → 218", inclusiveMarket("X", "GBP", 2000), 1305, 218},
		{"incl 216.33 → 216", inclusiveMarket("X", "GBP", 2000), 1298, 216},
		{"incl 216.67 → 217", inclusiveMarket("X", "GBP", 2000), 1300, 217},
		{"zero rate", inclusiveMarket("X", "MYR", 0), 1299, 0},
		{"zero price", inclusiveMarket("X", "GBP", 2000), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.m.Totals([]LineInput{{UnitPrice: tc.total, Quantity: 1}}, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if got.Lines[0].Tax != tc.tax {
				t.Errorf("tax on %d = %d, want %d", tc.total, got.Lines[0].Tax, tc.tax)
			}
		})
	}
}

func TestTotalsZeroDecimalCurrency(t *testing.T) {
	vn := inclusiveMarket("VN", "VND", 1000)
	got, err := vn.Totals([]LineInput{{UnitPrice: 199_000, Quantity: 2}, {UnitPrice: 55_000, Quantity: 1}}, "", 30_000)
	if err != nil {
		t.Fatal(err)
	}
	// 398000/11 = 36181.8 → 36182; 55000/11 = 5000.
	if got.Lines[0].Tax != 36182 || got.Lines[1].Tax != 5000 {
		t.Errorf("line taxes %d, %d", got.Lines[0].Tax, got.Lines[1].Tax)
	}
	want := Money{Amount: 483_000, Currency: "VND"}
	if got.Total != want || got.Tax.Amount != 41182 || got.Subtotal.Amount != 453_000 {
		t.Errorf("got %+v", got)
	}
}

func TestTotalsLimits(t *testing.T) {
	lines := make([]LineInput, MaxOrderLines)
	for i := range lines {
		lines[i] = LineInput{UnitPrice: MaxPrice, Quantity: MaxQuantity}
	}
	const lineTotal = int64(MaxPrice) * MaxQuantity // 10^16
	const subtotal = lineTotal * MaxOrderLines      // 10^18

	excl := exclusiveMarket("X", "USD", MaxTaxBps, nil)
	got, err := excl.Totals(lines, "", MaxPrice)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subtotal.Amount != subtotal || got.Tax.Amount != subtotal || got.Total.Amount != 2*subtotal+MaxPrice {
		t.Errorf("exclusive at the limits: %+v %+v %+v", got.Subtotal, got.Tax, got.Total)
	}

	incl := inclusiveMarket("X", "USD", MaxTaxBps)
	got, err = incl.Totals(lines, "", MaxPrice)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tax.Amount != subtotal/2 || got.Total.Amount != subtotal+MaxPrice {
		t.Errorf("inclusive at the limits: %+v %+v", got.Tax, got.Total)
	}

	// A rate that does not divide evenly, to run the 128-bit remainder path.
	odd := inclusiveMarket("X", "USD", 1900)
	got, err = odd.Totals(lines[:1], "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := refTax(lineTotal, 1900, 11900); got.Tax.Amount != want {
		t.Errorf("tax = %d, want %d", got.Tax.Amount, want)
	}
}

func TestTotalsInvalid(t *testing.T) {
	m := inclusiveMarket("GB", "GBP", 2000)
	ok := LineInput{UnitPrice: 100, Quantity: 1}
	for _, tc := range []struct {
		name     string
		lines    []LineInput
		shipping int64
		field    string
	}{
		{"no lines", nil, 0, "lines"},
		{"too many lines", make([]LineInput, MaxOrderLines+1), 0, "lines"},
		{"zero quantity", []LineInput{ok, {UnitPrice: 100, Quantity: 0}}, 0, "lines[1].quantity"},
		{"negative quantity", []LineInput{{UnitPrice: 100, Quantity: -1}}, 0, "lines[0].quantity"},
		{"quantity over limit", []LineInput{{UnitPrice: 100, Quantity: MaxQuantity + 1}}, 0, "lines[0].quantity"},
		{"negative price", []LineInput{{UnitPrice: -1, Quantity: 1}}, 0, "lines[0].unit_price"},
		{"price over limit", []LineInput{{UnitPrice: MaxPrice + 1, Quantity: 1}}, 0, "lines[0].unit_price"},
		{"negative shipping", []LineInput{ok}, -1, "shipping"},
		{"shipping over limit", []LineInput{ok}, MaxPrice + 1, "shipping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Totals(tc.lines, "", tc.shipping)
			e, isErr := err.(*Error)
			if !isErr || e.Code != EINVALID || e.Field != tc.field {
				t.Errorf("err = %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
}

func TestTotalsBrokenMarket(t *testing.T) {
	lines := []LineInput{{UnitPrice: 100, Quantity: 1}}
	for _, tc := range []struct {
		name string
		m    *Market
	}{
		{"no tax mode", &Market{Code: "X", Currency: "USD"}},
		{"rate over 100 %", inclusiveMarket("X", "USD", MaxTaxBps+1)},
		{"negative rate", exclusiveMarket("X", "USD", -1, nil)},
		{"bad region rate", exclusiveMarket("X", "USD", 0, map[string]int64{"CA": 20000})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.m.Totals(lines, "CA", 0)
			if ErrorCode(err) != EINTERNAL {
				t.Errorf("err = %v, want an internal error", err)
			}
		})
	}
}

// refTax is round_half_even(total × rate / div) in arbitrary precision.
func refTax(total, rate, div int64) int64 {
	num := new(big.Int).Mul(big.NewInt(total), big.NewInt(rate))
	q, r := new(big.Int).QuoRem(num, big.NewInt(div), new(big.Int))
	switch new(big.Int).Lsh(r, 1).Cmp(big.NewInt(div)) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

func TestTotalsProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: a failure must reproduce
	// Draw sizes on a log scale so that small amounts (where rounding
	// matters) and huge ones (where overflow would) both come up often.
	logUniform := func(max int64) int64 {
		n := rng.Int64N(max + 1)
		for range rng.IntN(17) {
			n /= 10
		}
		return n
	}
	for i := range 20_000 {
		rate := rng.Int64N(MaxTaxBps + 1)
		if i%4 == 0 {
			rate = []int64{0, 725, 1900, 2000, 1000, 5000, MaxTaxBps}[rng.IntN(7)]
		}
		var m *Market
		if rng.IntN(2) == 0 {
			m = inclusiveMarket("X", "EUR", rate)
		} else {
			m = exclusiveMarket("X", "USD", 0, map[string]int64{"R": rate})
		}
		lines := make([]LineInput, 1+rng.IntN(MaxOrderLines))
		for j := range lines {
			lines[j] = LineInput{UnitPrice: logUniform(MaxPrice), Quantity: 1 + logUniform(MaxQuantity-1)}
		}
		shipping := logUniform(MaxPrice)

		got, err := m.Totals(lines, "R", shipping)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var subtotal, tax int64
		for j, lt := range got.Lines {
			total := lines[j].UnitPrice * lines[j].Quantity
			div := int64(10_000)
			if m.TaxMode == TaxInclusive {
				div += rate
			}
			if lt.Total != total || lt.Tax != refTax(total, rate, div) {
				t.Fatalf("case %d line %d: %+v, want total %d tax %d", i, j, lt, total, refTax(total, rate, div))
			}
			if lt.Tax < 0 || (m.TaxMode == TaxInclusive && lt.Tax > lt.Total) {
				t.Fatalf("case %d line %d: tax %d out of range for total %d", i, j, lt.Tax, lt.Total)
			}
			subtotal += lt.Total
			tax += lt.Tax
		}
		if got.Subtotal.Amount != subtotal || got.Tax.Amount != tax || got.Shipping.Amount != shipping {
			t.Fatalf("case %d: sums %+v", i, got)
		}
		want := subtotal + shipping
		if m.TaxMode == TaxExclusive {
			want += tax
		} else if tax > subtotal {
			t.Fatalf("case %d: inclusive tax %d above subtotal %d", i, tax, subtotal)
		}
		if got.Total.Amount != want || got.Total.Currency != m.Currency {
			t.Fatalf("case %d: total %+v, want %d %s", i, got.Total, want, m.Currency)
		}
	}
}
