package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"hawker"
)

const errSKUExists = "a SKU with this code already exists in the shop"

// CreateProduct stores p with its SKUs and their prices in one transaction.
// SKUs without an id get one; every SKU gets p's id and shop. EEXISTS when
// a SKU code is already used by a live product of the shop (nothing is
// stored then); ENOTFOUND when the shop does not exist.
func (db *DB) CreateProduct(ctx context.Context, p *hawker.Product) (err error) {
	defer db.done("CreateProduct", time.Now(), &err)
	images, translations, err := productJSON(p)
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO products
			(id, shop_id, title, description, images, translations, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.ShopID, p.Title, p.Description, images, translations, fmtTime(p.CreatedAt), fmtTime(p.UpdatedAt))
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

func productJSON(p *hawker.Product) (images, translations string, err error) {
	if images, err = jsonText(nonNilStrings(p.Images)); err != nil {
		return "", "", err
	}
	tr := p.Translations
	if tr == nil {
		tr = map[string]hawker.Translation{}
	}
	translations, err = jsonText(tr)
	return images, translations, err
}

func insertSKU(ctx context.Context, tx *sql.Tx, p *hawker.Product, s *hawker.SKU) error {
	if s.ID == "" {
		s.ID = hawker.NewID(hawker.PrefixSKU)
	}
	s.ProductID, s.ShopID = p.ID, p.ShopID
	options, err := jsonText(nonNilOptions(s.Options))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO skus (id, product_id, shop_id, code, options, max_per_buyer, on_hand)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ID, p.ID, p.ShopID, s.Code, options, s.MaxPerBuyer, s.OnHand)
	if err != nil {
		return mapErr(err, errSKUExists, "shop not found")
	}
	return insertPrices(ctx, tx, s)
}

func insertPrices(ctx context.Context, tx *sql.Tx, s *hawker.SKU) error {
	for market, amount := range s.Prices {
		_, err := tx.ExecContext(ctx, `INSERT INTO sku_prices (sku_id, market, amount) VALUES (?, ?, ?)`, s.ID, market, amount)
		if err != nil {
			return mapErr(err, "", "")
		}
	}
	return nil
}

// skusJSON is a correlated subquery for the product p: its live SKUs
// ordered by id, each with its prices, as one JSON array (decoded by
// decodeSKUs). Reading product, SKUs and prices in one statement reads
// them from one snapshot, so a concurrent UpdateProduct is seen whole or
// not at all, without a transaction around the read.
//
// SQLite drops the JSON subtype of a subquery's result, hence json(…)
// around the nested prices object.
const skusJSON = `(SELECT json_group_array(json_object(
		'id', s.id, 'product_id', s.product_id, 'shop_id', s.shop_id, 'code', s.code,
		'options', json(s.options), 'max_per_buyer', s.max_per_buyer, 'on_hand', s.on_hand,
		'prices', json((SELECT json_group_object(pr.market, pr.amount) FROM sku_prices pr WHERE pr.sku_id = s.id)))
		ORDER BY s.id)
	FROM skus s WHERE s.product_id = p.id AND s.deleted_at IS NULL)`

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
func scanProductWithSKUs(row interface{ Scan(...any) error }) (*hawker.Product, error) {
	var p hawker.Product
	var images, translations, created, updated string
	var skus []byte
	if err := row.Scan(&p.ID, &p.ShopID, &p.Title, &p.Description, &images, &translations, &created, &updated, &skus); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(images), &p.Images); err != nil {
		return nil, err
	}
	p.Images = nonNilStrings(p.Images)
	if err := json.Unmarshal([]byte(translations), &p.Translations); err != nil {
		return nil, err
	}
	if p.Translations == nil {
		p.Translations = map[string]hawker.Translation{}
	}
	var err error
	if p.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if p.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if p.SKUs, err = decodeSKUs(skus); err != nil {
		return nil, err
	}
	return &p, nil
}

// FindProductByID returns the product with its SKUs ordered by id; deleted
// products are ENOTFOUND.
func (db *DB) FindProductByID(ctx context.Context, id string) (_ *hawker.Product, err error) {
	defer db.done("FindProductByID", time.Now(), &err)
	p, err := scanProductWithSKUs(db.readRow(ctx, productWithSKUs+` WHERE p.id = ? AND p.deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	rows, err := db.readRows(ctx, productWithSKUs+`
		WHERE p.shop_id = ? AND p.deleted_at IS NULL AND p.id > ? ORDER BY p.id LIMIT ?`, shopID, pg.After, limit(pg))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	products := []*hawker.Product{}
	for rows.Next() {
		p, err := scanProductWithSKUs(rows)
		if err != nil {
			return nil, err
		}
		products = append(products, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return products, nil
}

// UpdateProduct replaces the product's fields and SKUs with p's, in one
// transaction: SKUs of p with an existing id get p's code, options, prices
// and max_per_buyer (never on_hand); SKUs with a new id are inserted with
// their on_hand; existing SKUs missing from p are kept. ENOTFOUND for an
// unknown or deleted product; EEXISTS on a SKU code clash. Nothing changes
// on error. CreatedAt and ShopID stay as stored.
func (db *DB) UpdateProduct(ctx context.Context, p *hawker.Product) (err error) {
	defer db.done("UpdateProduct", time.Now(), &err)
	images, translations, err := productJSON(p)
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var shopID string
		err := tx.QueryRowContext(ctx, `UPDATE products SET title = ?, description = ?, images = ?, translations = ?, updated_at = ?
			WHERE id = ? AND deleted_at IS NULL RETURNING shop_id`,
			p.Title, p.Description, images, translations, fmtTime(p.UpdatedAt), p.ID).Scan(&shopID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("product")
		}
		if err != nil {
			return err
		}
		p.ShopID = shopID
		existing := map[string]string{} // id → code
		rows, err := tx.QueryContext(ctx, `SELECT id, code FROM skus WHERE product_id = ? AND deleted_at IS NULL`, p.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return err
			}
			existing[id] = code
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Park renamed SKUs on a code no real one can have ('#' is not
		// allowed in codes) first, so that SKUs may swap codes in one
		// update without tripping the unique index halfway.
		for _, s := range p.SKUs {
			if code, ok := existing[s.ID]; ok && code != s.Code {
				if _, err := tx.ExecContext(ctx, `UPDATE skus SET code = '#' || id WHERE id = ?`, s.ID); err != nil {
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
			options, err := jsonText(nonNilOptions(s.Options))
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE skus SET code = ?, options = ?, max_per_buyer = ? WHERE id = ?`,
				s.Code, options, s.MaxPerBuyer, s.ID)
			if err != nil {
				return mapErr(err, errSKUExists, "")
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sku_prices WHERE sku_id = ?`, s.ID); err != nil {
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
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE products SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`, fmtTime(at), id)
		if err := checkAffected(res, err, "product"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE skus SET deleted_at = ? WHERE product_id = ? AND deleted_at IS NULL`, fmtTime(at), id)
		return err
	})
}

// FindSKUByID returns a SKU of a live product with its prices, ENOTFOUND
// otherwise. One statement: the SKU and its prices come from one snapshot.
func (db *DB) FindSKUByID(ctx context.Context, id string) (_ *hawker.SKU, err error) {
	defer db.done("FindSKUByID", time.Now(), &err)
	var s hawker.SKU
	var options, prices []byte
	var maxPerBuyer sql.NullInt64
	err = db.readRow(ctx, `SELECT s.id, s.product_id, s.shop_id, s.code, s.options, s.max_per_buyer, s.on_hand,
		(SELECT json_group_object(pr.market, pr.amount) FROM sku_prices pr WHERE pr.sku_id = s.id)
		FROM skus s WHERE s.id = ? AND s.deleted_at IS NULL`, id).
		Scan(&s.ID, &s.ProductID, &s.ShopID, &s.Code, &options, &maxPerBuyer, &s.OnHand, &prices)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("SKU")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(options, &s.Options); err != nil {
		return nil, err
	}
	s.Options = nonNilOptions(s.Options)
	if maxPerBuyer.Valid {
		s.MaxPerBuyer = &maxPerBuyer.Int64
	}
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
	err = db.readRow(ctx, `SELECT on_hand, reserved, sold FROM skus WHERE id = ? AND deleted_at IS NULL`, skuID).
		Scan(&st.OnHand, &st.Reserved, &st.Sold)
	if errors.Is(err, sql.ErrNoRows) {
		return hawker.Stock{}, notFound("SKU")
	}
	if err != nil {
		return hawker.Stock{}, err
	}
	st.Available = st.OnHand - st.Reserved - st.Sold
	return st, nil
}

// SetOnHand sets the SKU's on_hand in one statement that checks the
// invariant reserved + sold <= on_hand, so no concurrent reservation can
// slip between a check and the write. ESTATE when on_hand would fall below
// reserved + sold (nothing changes then); EINVALID when onHand is out of
// 0..MaxOnHand; ENOTFOUND unless it is a SKU of a live product.
func (db *DB) SetOnHand(ctx context.Context, skuID string, onHand int64) (_ hawker.Stock, err error) {
	defer db.done("SetOnHand", time.Now(), &err)
	if onHand < 0 || onHand > hawker.MaxOnHand {
		return hawker.Stock{}, hawker.FieldError("on_hand", "on_hand must be 0..%d", int64(hawker.MaxOnHand))
	}
	st := hawker.Stock{SKUID: skuID}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE skus SET on_hand = ?
			WHERE id = ? AND deleted_at IS NULL AND reserved + sold <= ?
			RETURNING on_hand, reserved, sold`, onHand, skuID, onHand).Scan(&st.OnHand, &st.Reserved, &st.Sold)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var held int64
		err = tx.QueryRowContext(ctx, `SELECT reserved + sold FROM skus WHERE id = ? AND deleted_at IS NULL`, skuID).Scan(&held)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("SKU")
		}
		if err != nil {
			return err
		}
		return hawker.Errorf(hawker.ESTATE, "on_hand cannot fall below the %d units reserved or sold", held)
	})
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
