package hawker

// Address is where an order ships to. Country is the ISO 3166-1 alpha-2
// code; orders ship within their market, so it must equal the order's
// market code.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"` // state, province
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
}

// Limits of addresses.
const (
	MaxAddressField = 200
	MaxPhoneLen     = 32
)

// Validate checks the address for an order in market: name, line1, city
// and country required, every field single-line text of at most
// [MaxAddressField] characters (a phone at most [MaxPhoneLen]), and the
// country equal to the market's code. field prefixes the fields reported
// ("shipping_address").
func (a *Address) Validate(field, market string) error {
	for _, f := range []struct {
		name string
		v    string
		min  int
		max  int
	}{
		{"name", a.Name, 1, MaxAddressField},
		{"line1", a.Line1, 1, MaxAddressField},
		{"line2", a.Line2, 0, MaxAddressField},
		{"city", a.City, 1, MaxAddressField},
		{"region", a.Region, 0, MaxAddressField},
		{"postal_code", a.PostalCode, 0, MaxAddressField},
		{"country", a.Country, 1, 2},
		{"phone", a.Phone, 0, MaxPhoneLen},
	} {
		if err := ValidateText(field+"."+f.name, f.v, f.min, f.max); err != nil {
			return err
		}
		for _, r := range f.v {
			if r == '\n' || r == '\t' {
				return FieldError(field+"."+f.name, "%s.%s must be one line", field, f.name)
			}
		}
	}
	if a.Country != market {
		return FieldError(field+".country", "orders in market %s ship to %s", market, market)
	}
	return nil
}
