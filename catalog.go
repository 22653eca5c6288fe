package hawker

import (
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Limits of the catalog.
const (
	MaxTitleLen       = 200
	MaxDescriptionLen = 10_000
	MaxSKUsPerProduct = 100
	MaxImagesPerItem  = 20
	MaxOptionsPerSKU  = 5
	MaxOptionLen      = 100
	MaxSKUCodeLen     = 64
	MaxImageBytes     = 5 << 20
	MaxTranslations   = 20
)

var (
	slugRe    = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)
	skuCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	localeRe  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
)

// Shop is a seller's storefront.
type Shop struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	Name       string    `json:"name"`
	HomeMarket string    `json:"home_market"`
	Markets    []string  `json:"markets"`
	CreatedAt  time.Time `json:"created_at"`
}

// Validate checks a shop against the configured markets. It fills Markets
// with the home market when empty. Returns EINVALID with the field.
func (s *Shop) Validate(markets Markets) error {
	if err := ValidateText("name", s.Name, 1, MaxTitleLen); err != nil {
		return err
	}
	if !slugRe.MatchString(s.Slug) {
		return FieldError("slug", "slug must be 1-64 lower-case letters, digits and inner dashes")
	}
	if _, ok := markets.Market(s.HomeMarket); !ok {
		return FieldError("home_market", "unknown market %q", s.HomeMarket)
	}
	if len(s.Markets) == 0 {
		s.Markets = []string{s.HomeMarket}
	}
	seen := map[string]bool{}
	for _, code := range s.Markets {
		if _, ok := markets.Market(code); !ok {
			return FieldError("markets", "unknown market %q", code)
		}
		if seen[code] {
			return FieldError("markets", "market %q is listed twice", code)
		}
		seen[code] = true
	}
	if !seen[s.HomeMarket] {
		return FieldError("markets", "markets must include the home market %s", s.HomeMarket)
	}
	return nil
}

// SellsIn reports whether the shop sells to the market.
func (s *Shop) SellsIn(market string) bool { return slices.Contains(s.Markets, market) }

// Translation is a product's title and description in one locale.
type Translation struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Product is an item a shop sells, with one or more SKUs (variants).
type Product struct {
	ID          string `json:"id"`
	ShopID      string `json:"shop_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Images are ids of images uploaded to the same shop, in display order.
	Images []string `json:"images"`
	// Translations maps a locale ("de", "pt-BR") to a localised text.
	Translations map[string]Translation `json:"translations"`
	SKUs         []*SKU                 `json:"skus"`
	CreatedAt    time.Time              `json:"created_at"`
	UpdatedAt    time.Time              `json:"updated_at"`
}

// SKU is one variant of a product: its options, a price per market and its
// stock.
type SKU struct {
	ID        string `json:"id"`
	ProductID string `json:"product_id"`
	ShopID    string `json:"shop_id"`
	Code      string `json:"code"`
	// Options name the variant, e.g. {"size":"M","colour":"red"}.
	Options map[string]string `json:"options"`
	// Prices maps a market code to the price in minor units of its currency.
	Prices map[string]int64 `json:"prices"`
	// MaxPerBuyer limits units per buyer; nil means no limit.
	MaxPerBuyer *int64 `json:"max_per_buyer"`
	OnHand      int64  `json:"on_hand"`
	// Available is what can still be bought (on_hand − reserved − sold),
	// set only by the answers that show stock to buyers (a product, a
	// show's bag) so a viewer sees "only 7 left" before the first live
	// update; nil everywhere else.
	Available *int64 `json:"available,omitempty"`
}

// Validate checks a product and its SKUs for the shop. Returns EINVALID
// with the field at fault.
func (p *Product) Validate(shop *Shop, markets Markets) error {
	if err := ValidateText("title", p.Title, 1, MaxTitleLen); err != nil {
		return err
	}
	if err := ValidateText("description", p.Description, 0, MaxDescriptionLen); err != nil {
		return err
	}
	if err := validateImages(p.Images); err != nil {
		return err
	}
	if len(p.Translations) > MaxTranslations {
		return FieldError("translations", "at most %d translations", MaxTranslations)
	}
	for loc, tr := range p.Translations {
		if !localeRe.MatchString(loc) {
			return FieldError("translations", "locale %q is not like \"de\" or \"pt-BR\"", loc)
		}
		if err := ValidateText("translations."+loc+".title", tr.Title, 0, MaxTitleLen); err != nil {
			return err
		}
		if err := ValidateText("translations."+loc+".description", tr.Description, 0, MaxDescriptionLen); err != nil {
			return err
		}
	}
	if len(p.SKUs) == 0 {
		return FieldError("skus", "a product needs at least one SKU")
	}
	if len(p.SKUs) > MaxSKUsPerProduct {
		return FieldError("skus", "at most %d SKUs per product", MaxSKUsPerProduct)
	}
	codes := map[string]bool{}
	for i, s := range p.SKUs {
		if err := s.Validate(shop, markets, fieldIndex("skus", i)); err != nil {
			return err
		}
		if codes[s.Code] {
			return FieldError(fieldIndex("skus", i)+".code", "SKU code %q is used twice", s.Code)
		}
		codes[s.Code] = true
	}
	return nil
}

func validateImages(ids []string) error {
	if len(ids) > MaxImagesPerItem {
		return FieldError("images", "at most %d images", MaxImagesPerItem)
	}
	for i, id := range ids {
		if !ValidID(PrefixImage, id) {
			return FieldError(fieldIndex("images", i), "not an image id")
		}
	}
	return nil
}

// Validate checks one SKU; field is its position in the request ("skus[0]").
func (s *SKU) Validate(shop *Shop, markets Markets, field string) error {
	if len(s.Code) == 0 || len(s.Code) > MaxSKUCodeLen || !skuCodeRe.MatchString(s.Code) {
		return FieldError(field+".code", "SKU code must be 1-%d letters, digits and . _ / -", MaxSKUCodeLen)
	}
	if len(s.Options) > MaxOptionsPerSKU {
		return FieldError(field+".options", "at most %d options", MaxOptionsPerSKU)
	}
	for k, v := range s.Options {
		if err := ValidateText(field+".options", k, 1, MaxOptionLen); err != nil {
			return err
		}
		if err := ValidateText(field+".options."+k, v, 1, MaxOptionLen); err != nil {
			return err
		}
	}
	if len(s.Prices) == 0 {
		return FieldError(field+".prices", "a SKU needs a price in at least one market")
	}
	for code, amount := range s.Prices {
		if _, ok := markets.Market(code); !ok {
			return FieldError(field+".prices."+code, "unknown market %q", code)
		}
		if !shop.SellsIn(code) {
			return FieldError(field+".prices."+code, "the shop does not sell in %s", code)
		}
		if amount <= 0 || amount > MaxPrice {
			return FieldError(field+".prices."+code, "price must be 1..%d minor units", int64(MaxPrice))
		}
	}
	if s.MaxPerBuyer != nil && (*s.MaxPerBuyer < 1 || *s.MaxPerBuyer > MaxQuantity) {
		return FieldError(field+".max_per_buyer", "max_per_buyer must be 1..%d", MaxQuantity)
	}
	if s.OnHand < 0 || s.OnHand > MaxOnHand {
		return FieldError(field+".on_hand", "on_hand must be 0..%d", MaxOnHand)
	}
	return nil
}

func fieldIndex(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}

// Stock is a SKU's inventory. OnHand is what the shop allocated to sale;
// Reserved is held by unpaid orders; Sold is paid. Available is what can
// still be bought. Invariant: Reserved + Sold <= OnHand.
type Stock struct {
	SKUID     string `json:"sku_id"`
	OnHand    int64  `json:"on_hand"`
	Reserved  int64  `json:"reserved"`
	Sold      int64  `json:"sold"`
	Available int64  `json:"available"`
}

// Image is an uploaded product picture. The bytes live in a [BlobStore]
// under Key.
type Image struct {
	ID          string    `json:"id"`
	ShopID      string    `json:"shop_id"`
	ContentType string    `json:"content_type"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	Bytes       int64     `json:"bytes"`
	Key         string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}
