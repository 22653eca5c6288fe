package storetest

import (
	"testing"

	"hawker"
)

// testStreamKeys checks hawker.StreamKeyStore: keys are found by hash,
// a new key replaces the old one, unknown shows and hashes are ENOTFOUND.
func testStreamKeys(t *testing.T, open opener) {
	s := open(t)
	ctx := t.Context()
	seller := newUser(t, s, "stream-seller@example.com")
	shop := newShop(t, s, "stream-shop", seller)
	mkShow := func(t testing.TB) *hawker.Show {
		sh := &hawker.Show{
			ID: hawker.NewID(hawker.PrefixShow), ShopID: shop.ID, HostID: seller.ID, Title: "Stream",
			Markets: []string{"DE"}, State: hawker.ShowScheduled, CreatedAt: hawker.Now(),
		}
		must(t, s.CreateShow(ctx, sh))
		return sh
	}
	a, b := mkShow(t), mkShow(t)

	_, err := s.FindShowByStreamKeyHash(ctx, "no-such-hash")
	wantCode(t, err, hawker.ENOTFOUND)
	wantCode(t, s.SetStreamKey(ctx, hawker.NewID(hawker.PrefixShow), "hash-unknown-show", hawker.Now()), hawker.ENOTFOUND)

	must(t, s.SetStreamKey(ctx, a.ID, "hash-a1", hawker.Now()))
	must(t, s.SetStreamKey(ctx, b.ID, "hash-b1", hawker.Now()))
	for hash, want := range map[string]string{"hash-a1": a.ID, "hash-b1": b.ID} {
		got, err := s.FindShowByStreamKeyHash(ctx, hash)
		must(t, err)
		if got != want {
			t.Fatalf("FindShowByStreamKeyHash(%s) = %s, want %s", hash, got, want)
		}
	}

	// Rotation: the new key works, the old one no longer does.
	must(t, s.SetStreamKey(ctx, a.ID, "hash-a2", hawker.Now()))
	_, err = s.FindShowByStreamKeyHash(ctx, "hash-a1")
	wantCode(t, err, hawker.ENOTFOUND)
	got, err := s.FindShowByStreamKeyHash(ctx, "hash-a2")
	must(t, err)
	if got != a.ID {
		t.Fatalf("after rotation: show %s, want %s", got, a.ID)
	}
	// Another show's hash cannot be taken.
	wantCode(t, s.SetStreamKey(ctx, a.ID, "hash-b1", hawker.Now()), hawker.EEXISTS)
	got, err = s.FindShowByStreamKeyHash(ctx, "hash-a2")
	must(t, err)
	if got != a.ID {
		t.Fatalf("after a refused key: show %s, want %s", got, a.ID)
	}
}
