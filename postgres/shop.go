package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// CreateShop stores the shop and, when owner is not nil, the owner's
// membership, in one transaction. EEXISTS when the slug (or id) is taken;
// ENOTFOUND when the owner is not a user.
func (db *DB) CreateShop(ctx context.Context, s *hawker.Shop, owner *hawker.ShopMember) (err error) {
	defer db.done("CreateShop", time.Now(), &err)
	return db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO shops (id, slug, name, home_market, markets, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, s.ID, s.Slug, s.Name, s.HomeMarket, nonNilStrings(s.Markets), s.CreatedAt)
		if err != nil {
			return mapErr(err, "a shop with this slug already exists", "")
		}
		if owner == nil {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO shop_members (shop_id, user_id, role) VALUES ($1, $2, $3)`,
			s.ID, owner.UserID, string(owner.Role))
		return mapErr(err, "", "owner not found")
	})
}

const shopColumns = `s.id, s.slug, s.name, s.home_market, s.markets, s.created_at`

func scanShop(row pgx.Row) (*hawker.Shop, error) {
	var s hawker.Shop
	if err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.HomeMarket, &s.Markets, &s.CreatedAt); err != nil {
		return nil, err
	}
	s.Markets = nonNilStrings(s.Markets)
	s.CreatedAt = s.CreatedAt.UTC()
	return &s, nil
}

// FindShopByID returns ENOTFOUND when there is no such shop.
func (db *DB) FindShopByID(ctx context.Context, id string) (_ *hawker.Shop, err error) {
	defer db.done("FindShopByID", time.Now(), &err)
	s, err := scanShop(db.pool.QueryRow(ctx, `SELECT `+shopColumns+` FROM shops s WHERE s.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("shop")
	}
	return s, err
}

// FindShops lists shops ordered by id; with memberOf set, only the shops
// that user belongs to.
func (db *DB) FindShops(ctx context.Context, memberOf string, p hawker.Page) (_ []*hawker.Shop, err error) {
	defer db.done("FindShops", time.Now(), &err)
	var rows pgx.Rows
	if memberOf == "" {
		rows, err = db.pool.Query(ctx, `SELECT `+shopColumns+` FROM shops s
			WHERE s.id > $1 ORDER BY s.id LIMIT $2`, p.After, limit(p))
	} else {
		rows, err = db.pool.Query(ctx, `SELECT `+shopColumns+` FROM shops s
			JOIN shop_members m ON m.shop_id = s.id AND m.user_id = $1
			WHERE s.id > $2 ORDER BY s.id LIMIT $3`, memberOf, p.After, limit(p))
	}
	if err != nil {
		return nil, err
	}
	return collect(rows, scanShop)
}

// UpdateShop replaces name and markets; slug, home market and creation time
// stay. ENOTFOUND when there is no such shop.
func (db *DB) UpdateShop(ctx context.Context, s *hawker.Shop) (err error) {
	defer db.done("UpdateShop", time.Now(), &err)
	tag, err := db.pool.Exec(ctx, `UPDATE shops SET name = $1, markets = $2 WHERE id = $3`, s.Name, nonNilStrings(s.Markets), s.ID)
	return checkAffected(tag, err, "shop")
}

// PutShopMember adds the member or changes its role. ENOTFOUND when the shop
// or the user does not exist.
func (db *DB) PutShopMember(ctx context.Context, m hawker.ShopMember) (err error) {
	defer db.done("PutShopMember", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO shop_members (shop_id, user_id, role) VALUES ($1, $2, $3)
		ON CONFLICT (shop_id, user_id) DO UPDATE SET role = excluded.role`, m.ShopID, m.UserID, string(m.Role))
	return mapErr(err, "", "shop or user not found")
}

// DeleteShopMember removes the member; ENOTFOUND if it was not one.
func (db *DB) DeleteShopMember(ctx context.Context, shopID, userID string) (err error) {
	defer db.done("DeleteShopMember", time.Now(), &err)
	tag, err := db.pool.Exec(ctx, `DELETE FROM shop_members WHERE shop_id = $1 AND user_id = $2`, shopID, userID)
	return checkAffected(tag, err, "shop member")
}

// FindShopMembers lists the shop's team ordered by user id (empty for an
// unknown shop).
func (db *DB) FindShopMembers(ctx context.Context, shopID string) (_ []hawker.ShopMember, err error) {
	defer db.done("FindShopMembers", time.Now(), &err)
	return db.members(ctx, `SELECT shop_id, user_id, role FROM shop_members WHERE shop_id = $1 ORDER BY user_id`, shopID)
}

// FindMemberships lists the user's shop roles ordered by shop id.
func (db *DB) FindMemberships(ctx context.Context, userID string) (_ []hawker.ShopMember, err error) {
	defer db.done("FindMemberships", time.Now(), &err)
	return db.members(ctx, `SELECT shop_id, user_id, role FROM shop_members WHERE user_id = $1 ORDER BY shop_id`, userID)
}

func (db *DB) members(ctx context.Context, q string, arg string) ([]hawker.ShopMember, error) {
	rows, err := db.pool.Query(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row pgx.Row) (hawker.ShopMember, error) {
		var m hawker.ShopMember
		var role string
		err := row.Scan(&m.ShopID, &m.UserID, &role)
		m.Role = hawker.Role(role)
		return m, err
	})
}
