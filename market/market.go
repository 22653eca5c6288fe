// Package market loads the markets hawker sells in from YAML and formats
// money in their locales with CLDR data (github.com/bojanz/currency).
package market

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bojanz/currency"
	"go.yaml.in/yaml/v3"

	"hawker"
)

//go:embed markets.yaml
var defaultYAML string

// Limits of a market's configuration.
const (
	DefaultReservationMinutes = 10
	MaxReservationMinutes     = 24 * 60
	MaxWithdrawalDays         = 365
)

var (
	codeRe   = regexp.MustCompile(`^[A-Z]{2}$`)
	regionRe = regexp.MustCompile(`^[A-Z0-9]{1,3}$`) // ISO 3166-2 subdivision suffix
	// Same shape as the catalog's translation locales, so a market's
	// locales can key product translations.
	localeRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
	features = []string{hawker.FeatureCOD, hawker.FeatureAuctions, hawker.FeatureCommentToBuy}
)

// Set is a loaded, validated set of markets. It is read-only after Load, so
// it is safe for concurrent use; the *hawker.Market values it hands out are
// shared and must not be modified.
type Set struct {
	all    []*hawker.Market // ordered by code
	byCode map[string]*hawker.Market
	digits map[string]int // currency code → minor units, the same in every market
}

var _ hawker.Markets = (*Set)(nil)

// Default returns the markets built into the binary (markets.yaml), parsed
// anew on each call so that no caller shares state with another. It panics
// only if that file is broken, which TestDefault rules out.
func Default() *Set {
	s, err := Load(strings.NewReader(defaultYAML))
	if err != nil {
		panic("market: embedded markets.yaml: " + err.Error())
	}
	return s
}

// LoadFile reads markets from a YAML file shaped like markets.yaml (for
// --markets FILE). The file replaces the defaults; it is not merged.
func LoadFile(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// marketConfig is one market as written in YAML. Pointers tell a missing
// value from a zero one where zero is a valid choice that must be explicit.
type marketConfig struct {
	Code               string           `yaml:"code"`
	Name               string           `yaml:"name"`
	Currency           string           `yaml:"currency"`
	MinorUnits         *int             `yaml:"minor_units"`
	TaxMode            string           `yaml:"tax_mode"`
	TaxRateBps         *int64           `yaml:"tax_rate_bps"`
	RegionTaxBps       map[string]int64 `yaml:"region_tax_bps"`
	Locales            []string         `yaml:"locales"`
	WithdrawalDays     int              `yaml:"withdrawal_days"`
	Features           []string         `yaml:"features"`
	ReservationMinutes *int             `yaml:"reservation_minutes"`
}

type configFile struct {
	Markets []marketConfig `yaml:"markets"`
}

// Load reads and validates markets from YAML. Unknown keys are errors, so a
// misspelt rate cannot silently fall back to a default. The error lists
// every problem found, each naming the market and the key.
func Load(r io.Reader) (*Set, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var cf configFile
	if err := dec.Decode(&cf); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("markets: the file is empty")
		}
		return nil, fmt.Errorf("markets: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("markets: the file must hold one YAML document")
	}
	if len(cf.Markets) == 0 {
		return nil, errors.New("markets: no markets configured")
	}

	s := &Set{byCode: map[string]*hawker.Market{}, digits: map[string]int{}}
	digitsFrom := map[string]string{} // currency → market that set s.digits
	var errs []error
	for i, mc := range cf.Markets {
		m, err := mc.market(i)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := s.byCode[m.Code]; dup {
			errs = append(errs, fmt.Errorf("market %s: code: listed twice", m.Code))
			continue
		}
		if d, ok := s.digits[m.Currency]; ok && d != m.MinorUnits {
			errs = append(errs, fmt.Errorf("market %s: minor_units: %d, but market %s has %d for %s; amounts of one currency must mean the same everywhere",
				m.Code, m.MinorUnits, digitsFrom[m.Currency], d, m.Currency))
			continue
		}
		s.digits[m.Currency] = m.MinorUnits
		digitsFrom[m.Currency] = m.Code
		s.byCode[m.Code] = m
		s.all = append(s.all, m)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(s.all, func(a, b *hawker.Market) int { return strings.Compare(a.Code, b.Code) })
	return s, nil
}

// market validates one configured market; i is its position, to name
// markets whose code is missing.
func (mc *marketConfig) market(i int) (*hawker.Market, error) {
	name := "markets[" + strconv.Itoa(i) + "]"
	if codeRe.MatchString(mc.Code) {
		name = "market " + mc.Code
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s: %s", name, key, fmt.Sprintf(format, args...)))
	}

	if mc.Code == "" {
		bad("code", "missing")
	} else if !codeRe.MatchString(mc.Code) {
		bad("code", "%q is not an upper-case ISO 3166-1 alpha-2 code such as \"DE\"", mc.Code)
	}
	if strings.TrimSpace(mc.Name) == "" {
		bad("name", "missing")
	}

	var digits int
	cldrDigits, known := currency.GetDigits(mc.Currency)
	switch {
	case mc.Currency == "":
		bad("currency", "missing")
	case !known:
		bad("currency", "%q is not an ISO 4217 code known to CLDR", mc.Currency)
	case mc.MinorUnits == nil:
		digits = int(cldrDigits)
	case *mc.MinorUnits < 0 || *mc.MinorUnits > int(cldrDigits):
		// Only dropping unused subunits (IDR) is meaningful; more digits
		// than the currency has would invent subunits.
		bad("minor_units", "%d is outside 0..%d, the CLDR digits of %s", *mc.MinorUnits, cldrDigits, mc.Currency)
	default:
		digits = *mc.MinorUnits
	}

	mode := hawker.TaxMode(mc.TaxMode)
	switch mode {
	case hawker.TaxInclusive, hawker.TaxExclusive:
	case "":
		bad("tax_mode", "missing (inclusive or exclusive)")
	default:
		bad("tax_mode", "%q is neither inclusive nor exclusive", mc.TaxMode)
	}
	var rate int64
	if mc.TaxRateBps == nil {
		bad("tax_rate_bps", "missing (basis points, 1900 = 19 %%; write 0 for no tax)")
	} else if rate = *mc.TaxRateBps; rate < 0 || rate > hawker.MaxTaxBps {
		bad("tax_rate_bps", "%d is outside 0..%d", rate, hawker.MaxTaxBps)
	}
	if len(mc.RegionTaxBps) > 0 && mode != hawker.TaxExclusive {
		// Totals ignores regions in inclusive markets; accepting them
		// would let an operator believe they apply.
		bad("region_tax_bps", "only exclusive markets have regional rates")
	}
	regions := slices.Sorted(maps.Keys(mc.RegionTaxBps))
	for _, region := range regions {
		if r := mc.RegionTaxBps[region]; !regionRe.MatchString(region) {
			bad("region_tax_bps", "region %q is not an upper-case ISO 3166-2 suffix such as \"CA\"", region)
		} else if r < 0 || r > hawker.MaxTaxBps {
			bad("region_tax_bps."+region, "%d is outside 0..%d", r, hawker.MaxTaxBps)
		}
	}

	if len(mc.Locales) == 0 {
		bad("locales", "missing (at least one, such as en-US)")
	}
	for j, loc := range mc.Locales {
		if !localeRe.MatchString(loc) {
			bad("locales", "%q is not a locale such as \"de\" or \"de-DE\"", loc)
		} else if slices.Index(mc.Locales, loc) < j {
			bad("locales", "%q is listed twice", loc)
		}
	}
	if mc.WithdrawalDays < 0 || mc.WithdrawalDays > MaxWithdrawalDays {
		bad("withdrawal_days", "%d is outside 0..%d", mc.WithdrawalDays, MaxWithdrawalDays)
	}
	for j, f := range mc.Features {
		if !slices.Contains(features, f) {
			bad("features", "unknown feature %q (known: %s)", f, strings.Join(features, ", "))
		} else if slices.Index(mc.Features, f) < j {
			bad("features", "%q is listed twice", f)
		}
	}
	reservation := DefaultReservationMinutes
	if mc.ReservationMinutes != nil {
		reservation = *mc.ReservationMinutes
		if reservation < 1 || reservation > MaxReservationMinutes {
			bad("reservation_minutes", "%d is outside 1..%d", reservation, MaxReservationMinutes)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	m := &hawker.Market{
		Code:               mc.Code,
		Name:               mc.Name,
		Currency:           mc.Currency,
		MinorUnits:         digits,
		TaxMode:            mode,
		TaxRateBps:         rate,
		Locales:            slices.Clone(mc.Locales),
		WithdrawalDays:     mc.WithdrawalDays,
		Features:           slices.Clone(mc.Features),
		ReservationMinutes: reservation,
	}
	if m.Features == nil {
		m.Features = []string{} // JSON [] rather than null
	}
	if len(mc.RegionTaxBps) > 0 {
		m.RegionTaxBps = maps.Clone(mc.RegionTaxBps)
	}
	return m, nil
}

// Market returns the market with the upper-case code.
func (s *Set) Market(code string) (*hawker.Market, bool) {
	m, ok := s.byCode[code]
	return m, ok
}

// All returns every market, ordered by code. The slice is the caller's.
func (s *Set) All() []*hawker.Market { return slices.Clone(s.all) }

// Format formats m in the locale, with the minor units the set's markets
// use for its currency (so IDR shows whole rupiah) and CLDR's for other
// currencies.
func (s *Set) Format(m hawker.Money, locale string) string {
	digits, ok := s.digits[m.Currency]
	if !ok {
		digits = -1
	}
	return Format(m, digits, locale)
}

// Format formats m, an amount in minorUnits decimal places (the market's
// MinorUnits; below 0 means CLDR's digits for the currency), as CLDR writes
// money in the locale ("de-DE": "19,99 €"; spaces are the no-break spaces
// CLDR prescribes). Unknown locales fall back along CLDR's parents to
// English. A currency CLDR does not know is written as "12.34 XYZ".
func Format(m hawker.Money, minorUnits int, locale string) string {
	cldrDigits, known := currency.GetDigits(m.Currency)
	if minorUnits < 0 || minorUnits > 18 {
		minorUnits = int(cldrDigits) // 0 when unknown: shows the amount as stored
	}
	number := decimal(m.Amount, minorUnits)
	if !known {
		return number + " " + m.Currency
	}
	a, err := currency.NewAmount(number, m.Currency)
	if err != nil {
		return number + " " + m.Currency // unreachable: number is well-formed and the code known
	}
	f := currency.NewFormatter(currency.NewLocale(locale))
	// The amount is exact at minorUnits places, so fixing both bounds means
	// the formatter neither rounds (its default is half-up) nor pads to
	// CLDR's digits when a market uses fewer (IDR).
	f.MinDigits = uint8(minorUnits)
	f.MaxDigits = uint8(minorUnits)
	return f.Format(a)
}

// decimal writes n minor units as a decimal number with the given number of
// fraction digits: decimal(-5, 2) = "-0.05".
func decimal(n int64, digits int) string {
	s := strconv.FormatInt(n, 10)
	if digits == 0 {
		return s
	}
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}
