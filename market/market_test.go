package market

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hawker"
)

func TestDefault(t *testing.T) {
	s := Default() // panics if the embedded file is broken
	var codes []string
	for _, m := range s.All() {
		codes = append(codes, m.Code)
	}
	if want := []string{"DE", "FR", "GB", "ID", "MY", "PH", "SG", "TH", "US", "VN"}; !slices.Equal(codes, want) {
		t.Fatalf("codes %v, want %v", codes, want)
	}

	for _, tc := range []struct {
		code, currency string
		minorUnits     int
		mode           hawker.TaxMode
		rate           int64
		locale         string
		withdrawal     int
		cod            bool
	}{
		{"US", "USD", 2, hawker.TaxExclusive, 0, "en-US", 0, false},
		{"GB", "GBP", 2, hawker.TaxInclusive, 2000, "en-GB", 14, false},
		{"DE", "EUR", 2, hawker.TaxInclusive, 1900, "de-DE", 14, false},
		{"FR", "EUR", 2, hawker.TaxInclusive, 2000, "fr-FR", 14, false},
		{"TH", "THB", 2, hawker.TaxInclusive, 700, "th-TH", 7, true},
		{"VN", "VND", 0, hawker.TaxInclusive, 1000, "vi-VN", 0, true},
		{"MY", "MYR", 2, hawker.TaxInclusive, 0, "ms-MY", 0, true},
		{"SG", "SGD", 2, hawker.TaxInclusive, 900, "en-SG", 0, false},
		{"ID", "IDR", 0, hawker.TaxInclusive, 1100, "id-ID", 0, true},
		{"PH", "PHP", 2, hawker.TaxInclusive, 1200, "en-PH", 0, true},
	} {
		m, ok := s.Market(tc.code)
		if !ok {
			t.Errorf("%s missing", tc.code)
			continue
		}
		if m.Currency != tc.currency || m.MinorUnits != tc.minorUnits || m.TaxMode != tc.mode ||
			m.TaxRateBps != tc.rate || m.Locales[0] != tc.locale || m.WithdrawalDays != tc.withdrawal ||
			m.HasFeature(hawker.FeatureCOD) != tc.cod || m.ReservationMinutes != DefaultReservationMinutes {
			t.Errorf("%s = %+v", tc.code, m)
		}
	}

	us, _ := s.Market("US")
	for region, want := range map[string]int64{"CA": 725, "NY": 400, "TX": 625, "FL": 600, "WA": 650, "IL": 625, "PA": 600, "OR": 0, "DE": 0, "MT": 0, "NH": 0, "AK": 0} {
		if got, ok := us.RegionTaxBps[region]; !ok || got != want {
			t.Errorf("US %s = %d (%v), want %d", region, got, ok, want)
		}
	}
	if _, ok := s.Market("us"); ok {
		t.Error("codes are upper case")
	}
}

// A market with every required key, for the error cases to break.
const validMarket = `
  - code: GB
    name: United Kingdom
    currency: GBP
    tax_mode: inclusive
    tax_rate_bps: 2000
    locales: [en-GB]
`

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"empty file", ``, []string{"empty"}},
		{"no markets", `markets: []`, []string{"no markets"}},
		{"unknown top-level key", "market:\n" + validMarket, []string{"field market not found"}},
		{"unknown key", "markets:\n" + validMarket + "    tax_rate: 10\n", []string{"line 9", "field tax_rate not found"}},
		{"two documents", "markets:\n" + validMarket + "---\nmarkets: []\n", []string{"one YAML document"}},
		{"wrong type", "markets:\n" + strings.Replace(validMarket, "2000", "twenty", 1), []string{"line 7", "twenty"}},
		{"missing code", "markets:\n" + strings.Replace(validMarket, "code: GB", "code: ''", 1), []string{"markets[0]: code: missing"}},
		{"bad code", "markets:\n" + strings.Replace(validMarket, "code: GB", "code: gbr", 1), []string{"markets[0]: code:", `"gbr"`}},
		{"duplicate code", "markets:\n" + validMarket + validMarket, []string{"market GB: code: listed twice"}},
		{"missing name", "markets:\n" + strings.Replace(validMarket, "name: United Kingdom", "name: ' '", 1), []string{"market GB: name: missing"}},
		{"missing currency", "markets:\n" + strings.Replace(validMarket, "currency: GBP", "", 1), []string{"market GB: currency: missing"}},
		{"unknown currency", "markets:\n" + strings.Replace(validMarket, "GBP", "GBX", 1), []string{"market GB: currency:", `"GBX"`}},
		{"minor units above CLDR", "markets:\n" + validMarket + "    minor_units: 3\n", []string{"market GB: minor_units: 3 is outside 0..2"}},
		{"minor units disagree", "markets:\n" + validMarket + "    minor_units: 0\n" + strings.Replace(validMarket, "GB\n", "GI\n", 1),
			[]string{"market GI: minor_units: 2, but market GB has 0 for GBP"}},
		{"missing tax mode", "markets:\n" + strings.Replace(validMarket, "tax_mode: inclusive", "", 1), []string{"market GB: tax_mode: missing"}},
		{"bad tax mode", "markets:\n" + strings.Replace(validMarket, "inclusive", "included", 1), []string{"market GB: tax_mode:", `"included"`}},
		{"missing rate", "markets:\n" + strings.Replace(validMarket, "tax_rate_bps: 2000", "", 1), []string{"market GB: tax_rate_bps: missing"}},
		{"rate too high", "markets:\n" + strings.Replace(validMarket, "2000", "10001", 1), []string{"market GB: tax_rate_bps: 10001 is outside 0..10000"}},
		{"negative rate", "markets:\n" + strings.Replace(validMarket, "2000", "-1", 1), []string{"market GB: tax_rate_bps: -1 is outside"}},
		{"regions in inclusive market", "markets:\n" + validMarket + "    region_tax_bps: {ENG: 2000}\n", []string{"market GB: region_tax_bps: only exclusive"}},
		{"bad region rate", "markets:\n" + strings.Replace(validMarket, "inclusive", "exclusive", 1) + "    region_tax_bps: {CA: 72500}\n",
			[]string{"market GB: region_tax_bps.CA: 72500 is outside 0..10000"}},
		{"bad region code", "markets:\n" + strings.Replace(validMarket, "inclusive", "exclusive", 1) + "    region_tax_bps: {ca: 725}\n",
			[]string{"market GB: region_tax_bps: region \"ca\""}},
		{"duplicate region", "markets:\n" + strings.Replace(validMarket, "inclusive", "exclusive", 1) + "    region_tax_bps: {CA: 725, CA: 700}\n",
			[]string{`"CA" already defined`}},
		{"missing locales", "markets:\n" + strings.Replace(validMarket, "locales: [en-GB]", "", 1), []string{"market GB: locales: missing"}},
		{"bad locale", "markets:\n" + strings.Replace(validMarket, "en-GB", "en_GB", 1), []string{"market GB: locales:", `"en_GB"`}},
		{"duplicate locale", "markets:\n" + strings.Replace(validMarket, "[en-GB]", "[en-GB, en-GB]", 1), []string{"market GB: locales: \"en-GB\" is listed twice"}},
		{"negative withdrawal", "markets:\n" + validMarket + "    withdrawal_days: -14\n", []string{"market GB: withdrawal_days: -14"}},
		{"unknown feature", "markets:\n" + validMarket + "    features: [cod, barter]\n", []string{"market GB: features: unknown feature \"barter\""}},
		{"duplicate feature", "markets:\n" + validMarket + "    features: [cod, cod]\n", []string{"market GB: features: \"cod\" is listed twice"}},
		{"zero reservation", "markets:\n" + validMarket + "    reservation_minutes: 0\n", []string{"market GB: reservation_minutes: 0 is outside 1..1440"}},
		{"every problem reported", "markets:\n" + strings.NewReplacer("GBP", "XYZ", "en-GB", "english").Replace(validMarket),
			[]string{"market GB: currency:", "market GB: locales:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadDefaultsAndClones(t *testing.T) {
	s, err := Load(strings.NewReader("markets:\n" + validMarket + strings.NewReplacer("GB\n", "US\n", "inclusive", "exclusive").Replace(validMarket) +
		"    region_tax_bps: {CA: 725}\n"))
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := s.Market("GB")
	if gb.ReservationMinutes != DefaultReservationMinutes || gb.WithdrawalDays != 0 || gb.Features == nil || len(gb.Features) != 0 || gb.RegionTaxBps != nil {
		t.Errorf("defaults: %+v", gb)
	}
	all := s.All()
	all[0] = nil
	if s.All()[0] == nil {
		t.Error("All returned the set's own slice")
	}
	if all := s.All(); all[0].Code != "GB" || all[1].Code != "US" {
		t.Errorf("All not ordered by code: %s, %s", all[0].Code, all[1].Code)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "markets.yaml")
	if err := os.WriteFile(good, []byte("markets:\n"+validMarket), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Market("GB"); !ok || len(s.All()) != 1 {
		t.Errorf("loaded %v", s.All())
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("markets:\n"+strings.Replace(validMarket, "2000", "20000", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "tax_rate_bps") {
		t.Errorf("err = %v, want one naming the file and key", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); !os.IsNotExist(err) {
		t.Errorf("err = %v, want not-exist", err)
	}
}

func TestFormat(t *testing.T) {
	money := func(n int64, cur string) hawker.Money { return hawker.Money{Amount: n, Currency: cur} }
	for _, tc := range []struct {
		m      hawker.Money
		digits int
		locale string
		want   string
	}{
		{money(1999, "USD"), 2, "en-US", "$19.99"},
		{money(5, "USD"), 2, "en-US", "$0.05"},
		{money(0, "USD"), 2, "en-US", "$0.00"},
		{money(-1999, "USD"), 2, "en-US", "-$19.99"},
		{money(123456789, "USD"), 2, "en-US", "$1,234,567.89"},
		{money(1999, "USD"), -1, "en-US", "$19.99"},
		{money(1999, "EUR"), 2, "de-DE", "19,99\u00a0€"},
		{money(123456, "EUR"), 2, "de", "1.234,56\u00a0€"},
		{money(123456, "EUR"), 2, "fr-FR", "1\u202f234,56\u00a0€"},
		{money(123456, "EUR"), 2, "en", "€1,234.56"},
		{money(1299, "GBP"), 2, "en-GB", "£12.99"},
		{money(19990, "VND"), 0, "vi-VN", "19.990\u00a0₫"},
		{money(199000, "VND"), -1, "vi-VN", "199.000\u00a0₫"},
		{money(149000, "IDR"), 0, "id-ID", "Rp\u00a0149.000"},
		{money(149000, "IDR"), -1, "id-ID", "Rp\u00a01.490,00"}, // CLDR's 2 digits
		{money(39000, "THB"), 2, "th-TH", "฿390.00"},
		{money(4990, "MYR"), 2, "ms-MY", "RM\u00a049.90"},
		{money(2990, "SGD"), 2, "en-SG", "$29.90"},
		{money(129900, "PHP"), 2, "en-PH", "₱1,299.00"},
		{money(1999, "USD"), 2, "zz-ZZ", "$19.99"}, // unknown locale: English
		{money(1234, "ZZZ"), 2, "en", "12.34 ZZZ"},
	} {
		if got := Format(tc.m, tc.digits, tc.locale); got != tc.want {
			t.Errorf("Format(%v, %d, %s) = %q, want %q", tc.m, tc.digits, tc.locale, got, tc.want)
		}
	}

	s := Default()
	if got, want := s.Format(money(149000, "IDR"), "id-ID"), "Rp\u00a0149.000"; got != want {
		t.Errorf("Set.Format IDR = %q, want %q (the set's minor units, not CLDR's)", got, want)
	}
	if got, want := s.Format(money(1999, "JPY"), "ja"), "￥1,999"; got != want {
		t.Errorf("Set.Format JPY = %q, want %q (CLDR for currencies of no market)", got, want)
	}
}

func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		n      int64
		digits int
		want   string
	}{
		{0, 0, "0"}, {0, 2, "0.00"}, {5, 2, "0.05"}, {-5, 2, "-0.05"}, {100, 2, "1.00"},
		{123, 3, "0.123"}, {-1234, 2, "-12.34"}, {-9223372036854775808, 2, "-92233720368547758.08"},
	} {
		if got := decimal(tc.n, tc.digits); got != tc.want {
			t.Errorf("decimal(%d, %d) = %q, want %q", tc.n, tc.digits, got, tc.want)
		}
	}
}
