package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

const errSKUExists = "a SKU with this code already exists in the shop"

// CreateProduct stores p with its SKUs and their prices in one transaction.
// SKUs without an id get one; every SKU gets p's id and shop. EEXISTS when
// a SKU code is already used by a live product of the shop (nothing is
// stored then); ENOTFOUND when the shop does not exist.
func (db *DB) CreateProduct(ctx context.Context, p *hawker.Product) (err error) {
	defer db.done("CreateProduct", time.Now(), &err)
	translations, err := translationsJSON(p)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO products
			(id, shop_id, title, description, images, translations, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			p.ID, p.ShopID, p.Title, p.Description, nonNilStrings(p.Images), translations, p.CreatedAt, p.UpdatedAt)
		if err != nil {
			return mapErr(err, "product already exists", "shop not found")
		}
		for _, s := range p.SKUs {
			if err := insertSKU(ctx, tx, p, s); err != nil {
				return err
			}
		}
		return nil
	})
}

func translationsJSON(p *hawker.Product) (string, error) {
	tr := p.Translations
	if tr == nil {
		tr = map[string]hawker.Translation{}
	}
	b, err := json.Marshal(tr)
	return string(b), err
}

func optionsJSON(s *hawker.SKU) (string, error) {
	b, err := json.Marshal(nonNilOptions(s.Options))
	return string(b), err
}

func insertSKU(ctx context.Context, tx pgx.Tx, p *hawker.Product, s *hawker.SKU) error {
	if s.ID == "" {
		s.ID = hawker.NewID(hawker.PrefixSKU)
	}
	s.ProductID, s.ShopID = p.ID, p.ShopID
	options, err := optionsJSON(s)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO skus (id, product_id, shop_id, code, options, max_per_buyer, on_hand)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.ID, p.ID, p.ShopID, s.Code, options, s.MaxPerBuyer, s.OnHand)
	if err != nil {
		return mapErr(err, errSKUExists, "shop not found")
	}
	return insertPrices(ctx, tx, s)
}

func insertPrices(ctx context.Context, tx pgx.Tx, s *hawker.SKU) error {
	for market, amount := range s.Prices {
		_, err := tx.Exec(ctx, `INSERT INTO sku_prices (sku_id, market, amount) VALUES ($1, $2, $3)`, s.ID, market, amount)
		if err != nil {
			return mapErr(err, "", "")
		}
	}
	return nil
}

// skusJSON is a correlated subquery for the product p: its live SKUs
// ordered by id, each with its prices, as one JSON array (decoded by
// decodeSKUs). Reading product, SKUs and prices in one statement reads
// them from one snapshot (even under READ COMMITTED), so a concurrent
// UpdateProduct is seen whole or not at all; and it costs one round trip
// instead of BEGIN, three queries and the end of a transaction.
const skusJSON = `coalesce((SELECT json_agg(json_build_object(
		'id', s.id, 'product_id', s.product_id, 'shop_id', s.shop_id, 'code', s.code,
		'options', s.options, 'max_per_buyer', s.max_per_buyer, 'on_hand', s.on_hand,
		'prices', ` + pricesJSON + `)
		ORDER BY s.id)
	FROM skus s WHERE s.product_id = p.id AND s.deleted_at IS NULL), '[]')`

// pricesJSON is a correlated subquery for the SKU s: its prices as one JSON
// object.
const pricesJSON = `coalesce((SELECT json_object_agg(pr.market, pr.amount) FROM sku_prices pr WHERE pr.sku_id = s.id), '{}')`

const productWithSKUs = `SELECT p.id, p.shop_id, p.title, p.description, p.images, p.translations,
	p.created_at, p.updated_at, ` + skusJSON + ` FROM products p`

// skuJSON is a SKU as skusJSON writes it.
type skuJSON struct {
	ID          string            `json:"id"`
	ProductID   string            `json:"product_id"`
	ShopID      string            `json:"shop_id"`
	Code        string            `json:"code"`
	Options     map[string]string `json:"options"`
	MaxPerBuyer *int64            `json:"max_per_buyer"`
	OnHand      int64             `json:"on_hand"`
	Prices      map[string]int64  `json:"prices"`
}

func decodeSKUs(b []byte) ([]*hawker.SKU, error) {
	var in []skuJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, err
	}
	out := make([]*hawker.SKU, len(in))
	for i, s := range in {
		if s.Prices == nil {
			s.Prices = map[string]int64{}
		}
		out[i] = &hawker.SKU{ID: s.ID, ProductID: s.ProductID, ShopID: s.ShopID, Code: s.Code,
			Options: nonNilOptions(s.Options), Prices: s.Prices, MaxPerBuyer: s.MaxPerBuyer, OnHand: s.OnHand}
	}
	return out, nil
}

// scanProductWithSKUs scans a row of productWithSKUs.
func scanProductWithSKUs(row pgx.Row) (*hawker.Product, error) {
	var p hawker.Product
	var translations, skus []byte
	if err := row.Scan(&p.ID, &p.ShopID, &p.Title, &p.Description, &p.Images, &translations, &p.CreatedAt, &p.UpdatedAt, &skus); err != nil {
		return nil, err
	}
	p.Images = nonNilStrings(p.Images)
	if err := json.Unmarshal(translations, &p.Translations); err != nil {
		return nil, err
	}
	if p.Translations == nil {
		p.Translations = map[string]hawker.Translation{}
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	var err error
	if p.SKUs, err = decodeSKUs(skus); err != nil {
		return nil, err
	}
	return &p, nil
}

// FindProductByID returns the product with its SKUs ordered by id; deleted
// products are ENOTFOUND.
func (db *DB) FindProductByID(ctx context.Context, id string) (_ *hawker.Product, err error) {
	defer db.done("FindProductByID", time.Now(), &err)
	p, err := scanProductWithSKUs(db.pool.QueryRow(ctx, productWithSKUs+` WHERE p.id = $1 AND p.deleted_at IS NULL`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("product")
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// FindProducts lists the shop's live products ordered by id, with their
// SKUs, all from one snapshot (one statement).
func (db *DB) FindProducts(ctx context.Context, shopID string, pg hawker.Page) (_ []*hawker.Product, err error) {
	defer db.done("FindProducts", time.Now(), &err)
	rows, err := db.pool.Query(ctx, productWithSKUs+`
		WHERE p.shop_id = $1 AND p.deleted_at IS NULL AND p.id > $2 ORDER BY p.id LIMIT $3`, shopID, pg.After, limit(pg))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanProductWithSKUs)
}

// UpdateProduct replaces the product's fields and SKUs with p's, in one
// transaction: SKUs of p with an existing id get p's code, options, prices
// and max_per_buyer (never on_hand); SKUs with a new id are inserted with
// their on_hand; existing SKUs missing from p are kept. ENOTFOUND for an
// unknown or deleted product; EEXISTS on a SKU code clash. Nothing changes
// on error. CreatedAt and ShopID stay as stored.
func (db *DB) UpdateProduct(ctx context.Context, p *hawker.Product) (err error) {
	defer db.done("UpdateProduct", time.Now(), &err)
	translations, err := translationsJSON(p)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var shopID string
		err := tx.QueryRow(ctx, `UPDATE products SET title = $1, description = $2, images = $3, translations = $4, updated_at = $5
			WHERE id = $6 AND deleted_at IS NULL RETURNING shop_id`,
			p.Title, p.Description, nonNilStrings(p.Images), translations, p.UpdatedAt, p.ID).Scan(&shopID)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("product")
		}
		if err != nil {
			return err
		}
		p.ShopID = shopID
		existing := map[string]string{} // id → code
		rows, err := tx.Query(ctx, `SELECT id, code FROM skus WHERE product_id = $1 AND deleted_at IS NULL`, p.ID)
		if err != nil {
			return err
		}
		var id, code string
		_, err = pgx.ForEachRow(rows, []any{&id, &code}, func() error {
			existing[id] = code
			return nil
		})
		if err != nil {
			return err
		}
		// Park renamed SKUs on a code no real one can have ('#' is not
		// allowed in codes) first, so that SKUs may swap codes in one
		// update without tripping the unique index halfway.
		for _, s := range p.SKUs {
			if code, ok := existing[s.ID]; ok && code != s.Code {
				if _, err := tx.Exec(ctx, `UPDATE skus SET code = '#' || id WHERE id = $1`, s.ID); err != nil {
					return err
				}
			}
		}
		for _, s := range p.SKUs {
			if _, ok := existing[s.ID]; !ok {
				if err := insertSKU(ctx, tx, p, s); err != nil {
					return err
				}
				continue
			}
			s.ProductID, s.ShopID = p.ID, p.ShopID
			options, err := optionsJSON(s)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE skus SET code = $1, options = $2, max_per_buyer = $3 WHERE id = $4`,
				s.Code, options, s.MaxPerBuyer, s.ID)
			if err != nil {
				return mapErr(err, errSKUExists, "")
			}
			if _, err := tx.Exec(ctx, `DELETE FROM sku_prices WHERE sku_id = $1`, s.ID); err != nil {
				return err
			}
			if err := insertPrices(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteProduct hides the product and its SKUs (rows stay for the orders
// that refer to them) and frees their SKU codes. ENOTFOUND for an unknown or
// already deleted product.
func (db *DB) DeleteProduct(ctx context.Context, id string, at time.Time) (err error) {
	defer db.done("DeleteProduct", time.Now(), &err)
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE products SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL`, at, id)
		if err := checkAffected(tag, err, "product"); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE skus SET deleted_at = $1 WHERE product_id = $2 AND deleted_at IS NULL`, at, id)
		return err
	})
}

// FindSKUByID returns a SKU of a live product with its prices, ENOTFOUND
// otherwise. One statement: the SKU and its prices come from one snapshot.
func (db *DB) FindSKUByID(ctx context.Context, id string) (_ *hawker.SKU, err error) {
	defer db.done("FindSKUByID", time.Now(), &err)
	var s hawker.SKU
	var options, prices []byte
	err = db.pool.QueryRow(ctx, `SELECT s.id, s.product_id, s.shop_id, s.code, s.options, s.max_per_buyer, s.on_hand,
		`+pricesJSON+` FROM skus s WHERE s.id = $1 AND s.deleted_at IS NULL`, id).
		Scan(&s.ID, &s.ProductID, &s.ShopID, &s.Code, &options, &s.MaxPerBuyer, &s.OnHand, &prices)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("SKU")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(options, &s.Options); err != nil {
		return nil, err
	}
	s.Options = nonNilOptions(s.Options)
	if err := json.Unmarshal(prices, &s.Prices); err != nil {
		return nil, err
	}
	if s.Prices == nil {
		s.Prices = map[string]int64{}
	}
	return &s, nil
}

// FindStock returns the SKU's stock; ENOTFOUND unless it is a SKU of a live
// product.
func (db *DB) FindStock(ctx context.Context, skuID string) (_ hawker.Stock, err error) {
	defer db.done("FindStock", time.Now(), &err)
	st := hawker.Stock{SKUID: skuID}
	err = db.pool.QueryRow(ctx, `SELECT on_hand, reserved, sold FROM skus WHERE id = $1 AND deleted_at IS NULL`, skuID).
		Scan(&st.OnHand, &st.Reserved, &st.Sold)
	if errors.Is(err, pgx.ErrNoRows) {
		return hawker.Stock{}, notFound("SKU")
	}
	if err != nil {
		return hawker.Stock{}, err
	}
	st.Available = st.OnHand - st.Reserved - st.Sold
	return st, nil
}

// SetOnHand sets the SKU's on_hand in one statement that checks the
// invariant reserved + sold <= on_hand under the row lock, so no concurrent
// reservation can slip between a check and the write. ESTATE when on_hand
// would fall below reserved + sold (nothing changes then); EINVALID when
// onHand is out of 0..MaxOnHand; ENOTFOUND unless it is a SKU of a live
// product.
func (db *DB) SetOnHand(ctx context.Context, skuID string, onHand int64) (_ hawker.Stock, err error) {
	defer db.done("SetOnHand", time.Now(), &err)
	if onHand < 0 || onHand > hawker.MaxOnHand {
		return hawker.Stock{}, hawker.FieldError("on_hand", "on_hand must be 0..%d", int64(hawker.MaxOnHand))
	}
	st := hawker.Stock{SKUID: skuID}
	err = db.pool.QueryRow(ctx, `UPDATE skus SET on_hand = $1
		WHERE id = $2 AND deleted_at IS NULL AND reserved + sold <= $1
		RETURNING on_hand, reserved, sold`, onHand, skuID).Scan(&st.OnHand, &st.Reserved, &st.Sold)
	if errors.Is(err, pgx.ErrNoRows) {
		// Tell a missing SKU from a refused change. The figures may have
		// moved since the UPDATE; they only shape the message.
		var held int64
		err = db.pool.QueryRow(ctx, `SELECT reserved + sold FROM skus WHERE id = $1 AND deleted_at IS NULL`, skuID).Scan(&held)
		if errors.Is(err, pgx.ErrNoRows) {
			return hawker.Stock{}, notFound("SKU")
		}
		if err != nil {
			return hawker.Stock{}, err
		}
		return hawker.Stock{}, hawker.Errorf(hawker.ESTATE, "on_hand cannot fall below the %d units reserved or sold", held)
	}
	if err != nil {
		return hawker.Stock{}, err
	}
	st.Available = st.OnHand - st.Reserved - st.Sold
	return st, nil
}

func nonNilOptions(o map[string]string) map[string]string {
	if o == nil {
		return map[string]string{}
	}
	return o
}
