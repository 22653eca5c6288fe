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

const productColumns = `id, shop_id, title, description, images, translations, created_at, updated_at`

func scanProduct(row interface{ Scan(...any) error }) (*hawker.Product, error) {
	var p hawker.Product
	var images, translations, created, updated string
	if err := row.Scan(&p.ID, &p.ShopID, &p.Title, &p.Description, &images, &translations, &created, &updated); err != nil {
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
	p.UpdatedAt, err = parseTime(updated)
	p.SKUs = []*hawker.SKU{}
	return &p, err
}

// FindProductByID returns the product with its SKUs ordered by id; deleted
// products are ENOTFOUND.
func (db *DB) FindProductByID(ctx context.Context, id string) (_ *hawker.Product, err error) {
	defer db.done("FindProductByID", time.Now(), &err)
	var p *hawker.Product
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = scanProduct(tx.QueryRowContext(ctx,
			`SELECT `+productColumns+` FROM products WHERE id = ? AND deleted_at IS NULL`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("product")
		}
		if err != nil {
			return err
		}
		return loadSKUs(ctx, tx, []*hawker.Product{p})
	})
	return p, err
}

// FindProducts lists the shop's live products ordered by id, with their
// SKUs.
func (db *DB) FindProducts(ctx context.Context, shopID string, pg hawker.Page) (_ []*hawker.Product, err error) {
	defer db.done("FindProducts", time.Now(), &err)
	products := []*hawker.Product{}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+productColumns+` FROM products
			WHERE shop_id = ? AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?`, shopID, pg.After, limit(pg))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProduct(rows)
			if err != nil {
				return err
			}
			products = append(products, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loadSKUs(ctx, tx, products)
	})
	return products, err
}

const skuColumns = `id, product_id, shop_id, code, options, max_per_buyer, on_hand`

func scanSKU(row interface{ Scan(...any) error }) (*hawker.SKU, error) {
	var s hawker.SKU
	var options string
	var maxPerBuyer sql.NullInt64
	if err := row.Scan(&s.ID, &s.ProductID, &s.ShopID, &s.Code, &options, &maxPerBuyer, &s.OnHand); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(options), &s.Options); err != nil {
		return nil, err
	}
	s.Options = nonNilOptions(s.Options)
	if maxPerBuyer.Valid {
		s.MaxPerBuyer = &maxPerBuyer.Int64
	}
	s.Prices = map[string]int64{}
	return &s, nil
}

// loadSKUs fills the SKUs (ordered by id) and their prices of products.
func loadSKUs(ctx context.Context, tx *sql.Tx, products []*hawker.Product) error {
	if len(products) == 0 {
		return nil
	}
	ids := make([]string, len(products))
	byID := make(map[string]*hawker.Product, len(products))
	for i, p := range products {
		ids[i] = p.ID
		byID[p.ID] = p
	}
	idsJSON, err := jsonText(ids)
	if err != nil {
		return err
	}
	// The ids travel as one JSON array: one statement, however many.
	rows, err := tx.QueryContext(ctx, `SELECT `+skuColumns+` FROM skus
		WHERE product_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL ORDER BY id`, idsJSON)
	if err != nil {
		return err
	}
	defer rows.Close()
	skus := map[string]*hawker.SKU{}
	for rows.Next() {
		s, err := scanSKU(rows)
		if err != nil {
			return err
		}
		p := byID[s.ProductID]
		p.SKUs = append(p.SKUs, s)
		skus[s.ID] = s
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	prices, err := tx.QueryContext(ctx, `SELECT pr.sku_id, pr.market, pr.amount FROM sku_prices pr
		JOIN skus s ON s.id = pr.sku_id
		WHERE s.product_id IN (SELECT value FROM json_each(?)) AND s.deleted_at IS NULL`, idsJSON)
	if err != nil {
		return err
	}
	defer prices.Close()
	for prices.Next() {
		var skuID, market string
		var amount int64
		if err := prices.Scan(&skuID, &market, &amount); err != nil {
			return err
		}
		if s := skus[skuID]; s != nil {
			s.Prices[market] = amount
		}
	}
	return prices.Err()
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
// otherwise.
func (db *DB) FindSKUByID(ctx context.Context, id string) (_ *hawker.SKU, err error) {
	defer db.done("FindSKUByID", time.Now(), &err)
	var s *hawker.SKU
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = scanSKU(tx.QueryRowContext(ctx, `SELECT `+skuColumns+` FROM skus WHERE id = ? AND deleted_at IS NULL`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("SKU")
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT market, amount FROM sku_prices WHERE sku_id = ?`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var market string
			var amount int64
			if err := rows.Scan(&market, &amount); err != nil {
				return err
			}
			s.Prices[market] = amount
		}
		return rows.Err()
	})
	return s, err
}

// FindStock returns the SKU's stock; ENOTFOUND unless it is a SKU of a live
// product.
func (db *DB) FindStock(ctx context.Context, skuID string) (_ hawker.Stock, err error) {
	defer db.done("FindStock", time.Now(), &err)
	st := hawker.Stock{SKUID: skuID}
	err = db.read.QueryRowContext(ctx, `SELECT on_hand, reserved, sold FROM skus WHERE id = ? AND deleted_at IS NULL`, skuID).
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
