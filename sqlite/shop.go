package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"hawker"
)

// CreateShop stores the shop and, when owner is not nil, the owner's
// membership, in one transaction. EEXISTS when the slug (or id) is taken;
// ENOTFOUND when the owner is not a user.
func (db *DB) CreateShop(ctx context.Context, s *hawker.Shop, owner *hawker.ShopMember) (err error) {
	defer db.done("CreateShop", time.Now(), &err)
	markets, err := jsonText(nonNilStrings(s.Markets))
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO shops (id, slug, name, home_market, markets, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, s.ID, s.Slug, s.Name, s.HomeMarket, markets, fmtTime(s.CreatedAt))
		if err != nil {
			return mapErr(err, "a shop with this slug already exists", "")
		}
		if owner == nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO shop_members (shop_id, user_id, role) VALUES (?, ?, ?)`,
			s.ID, owner.UserID, string(owner.Role))
		return mapErr(err, "", "owner not found")
	})
}

const shopColumns = `s.id, s.slug, s.name, s.home_market, s.markets, s.created_at`

func scanShop(row interface{ Scan(...any) error }) (*hawker.Shop, error) {
	var s hawker.Shop
	var markets, created string
	if err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.HomeMarket, &markets, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(markets), &s.Markets); err != nil {
		return nil, err
	}
	s.Markets = nonNilStrings(s.Markets)
	var err error
	s.CreatedAt, err = parseTime(created)
	return &s, err
}

// FindShopByID returns ENOTFOUND when there is no such shop.
func (db *DB) FindShopByID(ctx context.Context, id string) (_ *hawker.Shop, err error) {
	defer db.done("FindShopByID", time.Now(), &err)
	s, err := scanShop(db.readRow(ctx, `SELECT `+shopColumns+` FROM shops s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("shop")
	}
	return s, err
}

// FindShops lists shops ordered by id; with memberOf set, only the shops
// that user belongs to.
func (db *DB) FindShops(ctx context.Context, memberOf string, p hawker.Page) (_ []*hawker.Shop, err error) {
	defer db.done("FindShops", time.Now(), &err)
	var rows *sql.Rows
	if memberOf == "" {
		rows, err = db.readRows(ctx, `SELECT `+shopColumns+` FROM shops s
			WHERE s.id > ? ORDER BY s.id LIMIT ?`, p.After, limit(p))
	} else {
		rows, err = db.readRows(ctx, `SELECT `+shopColumns+` FROM shops s
			JOIN shop_members m ON m.shop_id = s.id AND m.user_id = ?
			WHERE s.id > ? ORDER BY s.id LIMIT ?`, memberOf, p.After, limit(p))
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	shops := []*hawker.Shop{}
	for rows.Next() {
		s, err := scanShop(rows)
		if err != nil {
			return nil, err
		}
		shops = append(shops, s)
	}
	return shops, rows.Err()
}

// UpdateShop replaces name and markets; slug, home market and creation time
// stay. ENOTFOUND when there is no such shop.
func (db *DB) UpdateShop(ctx context.Context, s *hawker.Shop) (err error) {
	defer db.done("UpdateShop", time.Now(), &err)
	markets, err := jsonText(nonNilStrings(s.Markets))
	if err != nil {
		return err
	}
	res, err := db.write.ExecContext(ctx, `UPDATE shops SET name = ?, markets = ? WHERE id = ?`, s.Name, markets, s.ID)
	return checkAffected(res, err, "shop")
}

// PutShopMember adds the member or changes its role. ENOTFOUND when the shop
// or the user does not exist.
func (db *DB) PutShopMember(ctx context.Context, m hawker.ShopMember) (err error) {
	defer db.done("PutShopMember", time.Now(), &err)
	_, err = db.write.ExecContext(ctx, `INSERT INTO shop_members (shop_id, user_id, role) VALUES (?, ?, ?)
		ON CONFLICT (shop_id, user_id) DO UPDATE SET role = excluded.role`, m.ShopID, m.UserID, string(m.Role))
	return mapErr(err, "", "shop or user not found")
}

// DeleteShopMember removes the member; ENOTFOUND if it was not one.
func (db *DB) DeleteShopMember(ctx context.Context, shopID, userID string) (err error) {
	defer db.done("DeleteShopMember", time.Now(), &err)
	res, err := db.write.ExecContext(ctx, `DELETE FROM shop_members WHERE shop_id = ? AND user_id = ?`, shopID, userID)
	return checkAffected(res, err, "shop member")
}

// FindShopMembers lists the shop's team ordered by user id (empty for an
// unknown shop).
func (db *DB) FindShopMembers(ctx context.Context, shopID string) (_ []hawker.ShopMember, err error) {
	defer db.done("FindShopMembers", time.Now(), &err)
	return db.members(ctx, `SELECT shop_id, user_id, role FROM shop_members WHERE shop_id = ? ORDER BY user_id`, shopID)
}

// FindMemberships lists the user's shop roles ordered by shop id.
func (db *DB) FindMemberships(ctx context.Context, userID string) (_ []hawker.ShopMember, err error) {
	defer db.done("FindMemberships", time.Now(), &err)
	return db.members(ctx, `SELECT shop_id, user_id, role FROM shop_members WHERE user_id = ? ORDER BY shop_id`, userID)
}

func (db *DB) members(ctx context.Context, q string, arg string) ([]hawker.ShopMember, error) {
	rows, err := db.readRows(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []hawker.ShopMember{}
	for rows.Next() {
		var m hawker.ShopMember
		if err := rows.Scan(&m.ShopID, &m.UserID, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
