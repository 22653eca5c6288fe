package hawkerhttp

import (
	"net/http"
	"testing"

	"hawker"
)

type coverJSON struct {
	Show struct {
		ID            string  `json:"id"`
		CoverImageID  *string `json:"cover_image_id"`
		CoverImageURL *string `json:"cover_image_url"`
	} `json:"show"`
}

// TestShowCover: a show's cover is an image of its shop, given on create,
// changed and removed by PATCH (left out: kept), and answered as
// cover_image_url in every show answer, lists too.
func TestShowCover(t *testing.T) {
	f := newFixture(t)
	var out coverJSON
	f.mustJSON(t, "POST", "/api/v1/shows", f.HostToken, map[string]any{"shop_id": f.ShopA, "title": "Cover night", "cover_image_id": f.ImageA},
		http.StatusCreated, &out)
	wantCover := func(t *testing.T, got coverJSON, img string) {
		t.Helper()
		switch {
		case img == "" && (got.Show.CoverImageID != nil || got.Show.CoverImageURL != nil):
			t.Errorf("cover %v %v, want none", got.Show.CoverImageID, got.Show.CoverImageURL)
		case img != "" && (got.Show.CoverImageID == nil || *got.Show.CoverImageID != img ||
			got.Show.CoverImageURL == nil || *got.Show.CoverImageURL != "/media/images/"+img):
			t.Errorf("cover %v %v, want %s", got.Show.CoverImageID, got.Show.CoverImageURL, img)
		}
	}
	wantCover(t, out, f.ImageA)
	show := "/api/v1/shows/" + out.Show.ID
	f.mustJSON(t, "GET", show, "", nil, http.StatusOK, &out)
	wantCover(t, out, f.ImageA)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	f.mustJSON(t, "GET", "/api/v1/shows?shop_id="+f.ShopA, f.SellerAToken, nil, http.StatusOK, &list)
	found := false
	for _, s := range list.Items {
		if s["id"] == out.Show.ID {
			found = s["cover_image_url"] == "/media/images/"+f.ImageA
		} else if _, ok := s["cover_image_url"]; !ok {
			t.Errorf("show %v without cover_image_url (null when none)", s["id"])
		}
	}
	if !found {
		t.Errorf("the list does not give the cover: %v", list.Items)
	}

	// PATCH without the field keeps it; null removes it.
	f.mustJSON(t, "PATCH", show, f.SellerAToken, map[string]any{"title": "Still covered"}, http.StatusOK, &out)
	wantCover(t, out, f.ImageA)
	f.mustJSON(t, "PATCH", show, f.SellerAToken, map[string]any{"cover_image_id": nil}, http.StatusOK, &out)
	wantCover(t, out, "")
	f.mustJSON(t, "PATCH", show, f.HostToken, map[string]any{"cover_image_id": f.ImageA}, http.StatusOK, &out)
	wantCover(t, out, f.ImageA)

	// Another shop's image, or none at all, is refused and changes nothing.
	imageB := f.uploadPNG(t, f.SellerBToken, f.ShopB, 2, 2)
	for name, body := range map[string]any{
		"other shop's image": map[string]any{"cover_image_id": imageB},
		"unknown image":      map[string]any{"cover_image_id": hawker.NewID(hawker.PrefixImage)},
		"not an image id":    map[string]any{"cover_image_id": f.ProductA},
		"empty":              map[string]any{"cover_image_id": ""},
	} {
		resp, b := f.do(t, "PATCH", show, f.SellerAToken, body)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d: %s", name, resp.StatusCode, b)
			continue
		}
		wantError(t, resp, b, http.StatusUnprocessableEntity, hawker.EINVALID, "cover_image_id")
		resp, b = f.do(t, "POST", "/api/v1/shows", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "Bad cover", "cover_image_id": body.(map[string]any)["cover_image_id"]})
		wantError(t, resp, b, http.StatusUnprocessableEntity, hawker.EINVALID, "cover_image_id")
	}
	resp, b := f.do(t, "PATCH", show, f.SellerAToken, map[string]any{"cover_image_id": 5})
	wantError(t, resp, b, http.StatusBadRequest, hawker.EBADREQUEST, "cover_image_id")
	f.mustJSON(t, "GET", show, "", nil, http.StatusOK, &out)
	wantCover(t, out, f.ImageA)
}
