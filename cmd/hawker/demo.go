package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"time"

	"hawker"
	"hawker/internal/secret"
)

// demoEmailDomain marks demo accounts; the demo admin, created last, tells
// whether the demo was seeded completely.
const demoEmailDomain = "demo.hawker.test"

type demoSKU struct {
	code    string
	options map[string]string
	prices  map[string]int64
	onHand  int64
}

type demoProduct struct {
	title, description string
	hue                float64
	skus               []demoSKU
	translations       map[string]hawker.Translation
}

type demoShop struct {
	name, slug, home string
	markets          []string
	products         []demoProduct
	showTitle        string
}

// demoShops is the catalog of the demo: a shop in each of three markets and
// currencies with two decimals (USD, EUR) and none (VND).
var demoShops = []demoShop{
	{
		name: "Brooklyn Sneaker Co.", slug: "brooklyn-sneakers", home: "US", markets: []string{"US"},
		showTitle: "Friday Night Sneaker Drop",
		products: []demoProduct{
			{title: "Court Classic Low", description: "White leather low-tops with a gum sole.", hue: 10, skus: sizes("CCL", []string{"8", "9", "10", "11"}, map[string]int64{"US": 8900}, 25)},
			{title: "Trail Runner GTX", description: "Waterproof trail shoe with a grippy outsole.", hue: 30, skus: sizes("TRG", []string{"9", "10", "11"}, map[string]int64{"US": 12900}, 15)},
			{title: "Canvas High-Top", description: "Everyday canvas high-tops in washed black.", hue: 220, skus: sizes("CHT", []string{"7", "8", "9", "10"}, map[string]int64{"US": 5400}, 40)},
			{title: "Sneaker Cleaning Kit", description: "Brush, foam cleaner and microfibre cloth.", hue: 190, skus: one("SCK", map[string]int64{"US": 1999}, 200)},
			{title: "Limited Drop: Neon Runner", description: "Only 50 pairs. One per buyer.", hue: 300, skus: limited("NEON", map[string]int64{"US": 15000}, 50, 1)},
			{title: "Crew Socks 3-Pack", description: "Cushioned cotton crew socks.", hue: 50, skus: one("SOCK3", map[string]int64{"US": 1500}, 300)},
			{title: "Lace Pack Rainbow", description: "Six pairs of flat laces in bright colours.", hue: 120, skus: one("LACE6", map[string]int64{"US": 899}, 500)},
		},
	},
	{
		name: "Berliner Kaffeerösterei", slug: "berliner-kaffee", home: "DE", markets: []string{"DE", "FR", "GB"},
		showTitle: "Kaffee-Verkostung live",
		products: []demoProduct{
			{title: "Espresso Blend Kreuzberg", description: "Dark chocolate, hazelnut. 1 kg beans.", hue: 25, skus: weights("EKB", map[string]map[string]int64{"250g": {"DE": 899, "FR": 949, "GB": 799}, "1kg": {"DE": 2999, "FR": 3099, "GB": 2699}}, 80),
				translations: map[string]hawker.Translation{"de": {Title: "Espresso-Mischung Kreuzberg", Description: "Zartbitterschokolade, Haselnuss."}, "fr": {Title: "Mélange espresso Kreuzberg", Description: "Chocolat noir, noisette."}}},
			{title: "Filter Roast Ethiopia Guji", description: "Bergamot, peach, jasmine.", hue: 40, skus: weights("EGU", map[string]map[string]int64{"250g": {"DE": 1290, "FR": 1350, "GB": 1150}}, 60)},
			{title: "Hand Grinder Steel", description: "Conical steel burrs, 40 settings.", hue: 200, skus: one("HGS", map[string]int64{"DE": 7900, "FR": 8200, "GB": 6900}, 20)},
			{title: "Pour-Over Dripper", description: "Porcelain dripper, size 02.", hue: 0, skus: one("POD", map[string]int64{"DE": 2450, "FR": 2550, "GB": 2199}, 45)},
			{title: "Barista Milk Jug 600 ml", description: "Stainless steel with a sharp spout.", hue: 180, skus: one("MJ600", map[string]int64{"DE": 1999, "FR": 2099, "GB": 1799}, 70)},
			{title: "Flash Deal: Tasting Box", description: "Four 100 g bags to taste side by side.", hue: 330, skus: limited("TBOX", map[string]int64{"DE": 2500, "FR": 2600, "GB": 2200}, 30, 2)},
			{title: "Cold Brew Bottle", description: "1 l glass bottle with a fine mesh filter.", hue: 160, skus: one("CBB", map[string]int64{"DE": 2890, "FR": 2990, "GB": 2499}, 35)},
		},
	},
	{
		name: "Lụa Sài Gòn", slug: "lua-saigon", home: "VN", markets: []string{"VN", "TH", "SG"},
		showTitle: "Áo dài mùa Tết — live",
		products: []demoProduct{
			{title: "Áo dài lụa tơ tằm", description: "Mulberry silk áo dài, hand finished.", hue: 350, skus: sizes("ADL", []string{"S", "M", "L"}, map[string]int64{"VN": 2_450_000, "TH": 3490, "SG": 14900}, 12)},
			{title: "Khăn lụa vẽ tay", description: "Hand-painted silk scarf, 90 × 90 cm.", hue: 280, skus: one("KLV", map[string]int64{"VN": 690_000, "TH": 990, "SG": 3900}, 40)},
			{title: "Nón lá Huế", description: "Palm-leaf conical hat with a poem inside.", hue: 60, skus: one("NLH", map[string]int64{"VN": 150_000, "TH": 250, "SG": 990}, 100)},
			{title: "Túi thổ cẩm", description: "Brocade shoulder bag woven in Sa Pa.", hue: 15, skus: one("TTC", map[string]int64{"VN": 420_000, "TH": 590, "SG": 2490}, 30)},
			{title: "Gối lụa", description: "Silk pillowcase, 50 × 70 cm.", hue: 210, skus: one("GLU", map[string]int64{"VN": 550_000, "TH": 790, "SG": 2990}, 50)},
			{title: "Deal: Bộ quà Tết", description: "Tết gift set: scarf, fan and card.", hue: 0, skus: limited("BQT", map[string]int64{"VN": 990_000, "TH": 1290, "SG": 4990}, 20, 1)},
		},
	},
}

func one(code string, prices map[string]int64, onHand int64) []demoSKU {
	return []demoSKU{{code: code, prices: prices, onHand: onHand}}
}

func limited(code string, prices map[string]int64, onHand, perBuyer int64) []demoSKU {
	s := one(code, prices, onHand)
	s[0].options = map[string]string{"limit": fmt.Sprintf("%d per buyer", perBuyer)}
	return s
}

func sizes(code string, sz []string, prices map[string]int64, onHand int64) []demoSKU {
	var out []demoSKU
	for _, s := range sz {
		out = append(out, demoSKU{code: code + "-" + s, options: map[string]string{"size": s}, prices: prices, onHand: onHand})
	}
	return out
}

func weights(code string, byWeight map[string]map[string]int64, onHand int64) []demoSKU {
	var out []demoSKU
	for _, w := range []string{"250g", "1kg"} {
		if p, ok := byWeight[w]; ok {
			out = append(out, demoSKU{code: code + "-" + w, options: map[string]string{"weight": w}, prices: p, onHand: onHand})
		}
	}
	return out
}

type demoUser struct {
	name, email, market string
	roles               []hawker.Role
	shop                int // index into demoShops, -1 for none
	shopRole            hawker.Role
}

var demoUsers = []demoUser{
	{"Ada Admin", "admin@" + demoEmailDomain, "US", []hawker.Role{hawker.RoleAdmin}, -1, ""},
	{"Sam Seller", "seller.us@" + demoEmailDomain, "US", []hawker.Role{hawker.RoleSeller}, 0, hawker.RoleSeller},
	{"Sabine Verkäuferin", "seller.de@" + demoEmailDomain, "DE", []hawker.Role{hawker.RoleSeller}, 1, hawker.RoleSeller},
	{"Lan Nguyễn", "seller.vn@" + demoEmailDomain, "VN", []hawker.Role{hawker.RoleSeller}, 2, hawker.RoleSeller},
	{"Hana Host", "host@" + demoEmailDomain, "US", []hawker.Role{hawker.RoleHost}, 0, hawker.RoleHost},
	{"Mo Moderator", "moderator@" + demoEmailDomain, "US", []hawker.Role{hawker.RoleModerator}, 0, hawker.RoleModerator},
	{"Anna Buyer", "buyer@" + demoEmailDomain, "US", []hawker.Role{hawker.RoleBuyer}, -1, ""},
}

// seedDemo fills an empty store with the demo, once: on later starts it
// finds the demo admin and does nothing. Passwords are random and printed
// once, here.
func seedDemo(ctx context.Context, db hawker.Store, blobs hawker.BlobStore, markets hawker.Markets, stdout io.Writer, log *slog.Logger) error {
	if _, err := db.FindUserByEmail(ctx, demoUsers[0].email); err == nil {
		log.Info("demo data already present")
		return nil
	} else if hawker.ErrorCode(err) != hawker.ENOTFOUND {
		return err
	}
	now := hawker.Now()

	shops := make([]*hawker.Shop, len(demoShops))
	for i, ds := range demoShops {
		shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: ds.slug, Name: ds.name, HomeMarket: ds.home, Markets: ds.markets, CreatedAt: now}
		if err := shop.Validate(markets); err != nil {
			return fmt.Errorf("shop %s: %w", ds.slug, err)
		}
		if err := db.CreateShop(ctx, shop, nil); err != nil {
			if hawker.ErrorCode(err) == hawker.EEXISTS {
				return fmt.Errorf("an earlier demo seed was interrupted (shop %q exists but the demo admin does not); start with an empty data dir", ds.slug)
			}
			return err
		}
		shops[i] = shop
		for j, dp := range ds.products {
			if err := seedProduct(ctx, db, blobs, markets, shop, dp, i*10+j); err != nil {
				return fmt.Errorf("product %q: %w", dp.title, err)
			}
		}
	}

	type cred struct{ email, password, role string }
	var creds []cred
	users := make([]*hawker.User, len(demoUsers))
	makeUser := func(i int) error {
		du := demoUsers[i]
		password, _ := secret.NewToken("pw")
		password = password[3:19]
		hash, err := secret.HashPassword(password)
		if err != nil {
			return err
		}
		u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: du.email, Name: du.name, Market: du.market, Roles: du.roles, PasswordHash: hash, CreatedAt: now}
		if err := db.CreateUser(ctx, u); err != nil {
			return err
		}
		users[i] = u
		if du.shop >= 0 {
			if err := db.PutShopMember(ctx, hawker.ShopMember{ShopID: shops[du.shop].ID, UserID: u.ID, Role: du.shopRole}); err != nil {
				return err
			}
		}
		creds = append(creds, cred{du.email, password, string(du.roles[0])})
		return nil
	}
	for i := 1; i < len(demoUsers); i++ {
		if err := makeUser(i); err != nil {
			return err
		}
	}

	for i, ds := range demoShops {
		at := now.Add(time.Duration(15+15*i) * time.Minute)
		host := users[1+i].ID
		if i == 0 {
			host = users[4].ID // the demo host runs the US show
		}
		show := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: shops[i].ID, HostID: host, Title: ds.showTitle,
			Description: "Demo show: " + ds.name, ScheduledAt: &at, State: hawker.ShowScheduled, CreatedAt: now}
		if err := show.Validate(shops[i]); err != nil {
			return err
		}
		if err := db.CreateShow(ctx, show); err != nil {
			return err
		}
	}
	// The admin is the marker of a finished seed, so it comes last.
	if err := makeUser(0); err != nil {
		return err
	}

	fmt.Fprintln(stdout, "Demo accounts (passwords are shown only now, on the first start):")
	for _, c := range creds {
		fmt.Fprintf(stdout, "  %-10s %-36s %s\n", c.role, c.email, c.password)
	}
	log.Info("demo data seeded", "shops", len(shops), "users", len(users))
	return nil
}

func seedProduct(ctx context.Context, db hawker.Store, blobs hawker.BlobStore, markets hawker.Markets, shop *hawker.Shop, dp demoProduct, n int) error {
	now := hawker.Now()
	img := &hawker.Image{ID: hawker.NewID(hawker.PrefixImage), ShopID: shop.ID, ContentType: "image/png", Width: demoImageSize, Height: demoImageSize, CreatedAt: now}
	img.Key = img.ID + ".png"
	data := demoImage(dp.hue, n)
	img.Bytes = int64(len(data))
	if err := blobs.Put(ctx, img.Key, bytes.NewReader(data)); err != nil {
		return err
	}
	if err := db.CreateImage(ctx, img); err != nil {
		return err
	}
	p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: shop.ID, Title: dp.title, Description: dp.description,
		Images: []string{img.ID}, Translations: dp.translations, CreatedAt: now, UpdatedAt: now}
	for _, ds := range dp.skus {
		s := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), ProductID: p.ID, ShopID: shop.ID, Code: ds.code, Options: ds.options, Prices: ds.prices, OnHand: ds.onHand}
		if _, ok := ds.options["limit"]; ok {
			one := int64(1)
			s.MaxPerBuyer = &one
		}
		p.SKUs = append(p.SKUs, s)
	}
	if err := p.Validate(shop, markets); err != nil {
		return err
	}
	return db.CreateProduct(ctx, p)
}

const demoImageSize = 480

// demoImage draws a product picture: a soft gradient in the product's hue
// with a ring, different for every product, made at run time so the demo
// needs no downloads.
func demoImage(hue float64, n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, demoImageSize, demoImageSize))
	c := float64(demoImageSize) / 2
	r := c * (0.45 + 0.05*float64(n%5))
	for y := 0; y < demoImageSize; y++ {
		for x := 0; x < demoImageSize; x++ {
			d := math.Hypot(float64(x)-c, float64(y)-c)
			light := 0.85 - 0.35*float64(y)/demoImageSize
			sat := 0.45
			if math.Abs(d-r) < 18 {
				light, sat = 0.35, 0.75
			}
			img.Set(x, y, hsl(hue+float64(x)/12, sat, light))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		// Encoding an in-memory RGBA image cannot fail.
		panic(err)
	}
	return buf.Bytes()
}

func hsl(h, s, l float64) color.RGBA {
	h = math.Mod(h, 360) / 360
	f := func(n float64) uint8 {
		k := math.Mod(n+h*12, 12)
		a := s * math.Min(l, 1-l)
		v := l - a*math.Max(-1, math.Min(math.Min(k-3, 9-k), 1))
		return uint8(math.Round(v * 255))
	}
	return color.RGBA{f(0), f(8), f(4), 255}
}
