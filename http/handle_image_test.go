package hawkerhttp

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"testing"

	"hawker"
)

// webpVP8L returns the start of a lossless WebP of w×h: enough for
// sniffing and sizing.
func webpVP8L(w, h int) []byte {
	payload := make([]byte, 5)
	payload[0] = 0x2f
	binary.LittleEndian.PutUint32(payload[1:], uint32(w-1)|uint32(h-1)<<14)
	payload = append(payload, make([]byte, 16)...)
	return webpChunk("VP8L", payload)
}

func webpChunk(fourcc string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(4+8+len(payload)))
	b.WriteString("WEBP")
	b.WriteString(fourcc)
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(payload)))
	b.Write(payload)
	return b.Bytes()
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *fixture) upload(t *testing.T, token, shopID, contentType string, data []byte) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	h.Set("Content-Type", contentType)
	return f.doHeader(t, "POST", "/api/v1/shops/"+shopID+"/images", h, data)
}

func multipartBody(t *testing.T, field, partType string, data []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("caption", "ignored")
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="`+field+`"; filename="x.bin"`)
	if partType != "" {
		hdr.Set("Content-Type", partType)
	}
	pw, err := mw.CreatePart(hdr)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func TestImageUploadAndServe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	png := pngBytes(t, 7, 5)
	resp, body := f.upload(t, f.SellerAToken, f.ShopA, "image/png", png)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var out struct {
		Image struct {
			hawker.Image
			URL string
		}
	}
	f.mustJSON(t, "GET", "/api/v1/images/"+f.ImageA, "", nil, http.StatusOK, &out)
	if out.Image.ShopID != f.ShopA || out.Image.Width != 4 || out.Image.Height != 3 || out.Image.ContentType != "image/png" || out.Image.URL != "/media/images/"+f.ImageA {
		t.Errorf("image A = %+v", out.Image)
	}
	if strings.Contains(string(body), `"key"`) {
		t.Errorf("the blob key shows: %s", body)
	}

	for _, tc := range []struct {
		name, ct string
		data     []byte
		w, h     int
	}{
		{"png", "image/png", png, 7, 5},
		{"jpeg", "image/jpeg", jpegBytes(t, 9, 4), 9, 4},
		{"jpeg alias", "image/jpg", jpegBytes(t, 2, 2), 2, 2},
		{"webp lossless", "image/webp", webpVP8L(300, 200), 300, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.upload(t, f.SellerAToken, f.ShopA, tc.ct, tc.data)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("upload: %d %s", resp.StatusCode, body)
			}
			var out struct {
				Image struct {
					hawker.Image
					URL string
				}
			}
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			img := out.Image
			if img.Width != tc.w || img.Height != tc.h || img.Bytes != int64(len(tc.data)) || !hawker.ValidID(hawker.PrefixImage, img.ID) {
				t.Errorf("image = %+v", img)
			}
			resp, got := f.do(t, "GET", img.URL, "", nil)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, tc.data) {
				t.Fatalf("bytes: %d, %d bytes", resp.StatusCode, len(got))
			}
			for k, v := range map[string]string{
				"Content-Type":            img.ContentType,
				"X-Content-Type-Options":  "nosniff",
				"Cache-Control":           "public, max-age=31536000, immutable",
				"Content-Security-Policy": "default-src 'none'",
			} {
				if resp.Header.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, resp.Header.Get(k), v)
				}
			}
			h := http.Header{}
			h.Set("If-None-Match", resp.Header.Get("ETag"))
			resp, _ = f.doHeader(t, "GET", img.URL, h, nil)
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation: %d", resp.StatusCode)
			}
		})
	}

	// Multipart, with and without a part type.
	for _, partType := range []string{"image/png", "", "application/octet-stream"} {
		ct, data := multipartBody(t, "file", partType, png)
		resp, body := f.upload(t, f.SellerAToken, f.ShopA, ct, data)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("multipart (%q): %d %s", partType, resp.StatusCode, body)
		}
	}
	resp, body = f.do(t, "GET", "/media/images/"+hawker.NewID(hawker.PrefixImage), "", nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	resp, body = f.do(t, "GET", "/api/v1/images/nope", "", nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
}

func TestImageUploadRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	png := pngBytes(t, 2, 2)
	// Every image makes one blob; refused uploads must leave none.
	countImages := func() int {
		entries, err := os.ReadDir(f.BlobDir)
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	blobsBefore := countImages()
	mpCT, mp := multipartBody(t, "picture", "image/png", png)
	big := append(bytes.Clone(png), make([]byte, hawker.MaxImageBytes)...)
	bigCT, bigMP := multipartBody(t, "file", "image/png", big)
	for _, tc := range []struct {
		name   string
		token  string
		shop   string
		ct     string
		data   []byte
		status int
		code   string
		field  string
	}{
		{"anonymous", "", f.ShopA, "image/png", png, 401, "unauthenticated", ""},
		{"buyer", f.BuyerToken, f.ShopA, "image/png", png, 403, "forbidden", ""},
		{"host", f.HostToken, f.ShopA, "image/png", png, 403, "forbidden", ""},
		{"another seller's shop", f.SellerBToken, f.ShopA, "image/png", png, 403, "forbidden", ""},
		{"unknown shop", f.SellerAToken, hawker.NewID(hawker.PrefixShop), "image/png", png, 404, "not_found", ""},
		{"text as png", f.SellerAToken, f.ShopA, "image/png", []byte("hello, I am not a picture"), 415, "unsupported_media_type", ""},
		{"html as png", f.SellerAToken, f.ShopA, "image/png", []byte("<html><script>alert(1)</script></html>"), 415, "unsupported_media_type", ""},
		{"svg", f.SellerAToken, f.ShopA, "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 415, "unsupported_media_type", ""},
		{"gif", f.SellerAToken, f.ShopA, "image/gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 415, "unsupported_media_type", ""},
		{"declared jpeg, is png", f.SellerAToken, f.ShopA, "image/jpeg", png, 415, "unsupported_media_type", ""},
		{"json body", f.SellerAToken, f.ShopA, "application/json", []byte(`{}`), 415, "unsupported_media_type", ""},
		{"no type", f.SellerAToken, f.ShopA, "", png, 415, "unsupported_media_type", ""},
		{"truncated png", f.SellerAToken, f.ShopA, "image/png", png[:20], 415, "unsupported_media_type", ""},
		{"broken webp", f.SellerAToken, f.ShopA, "image/webp", webpChunk("VP8 ", []byte("nonsense-bytes")), 415, "unsupported_media_type", ""},
		{"too many pixels", f.SellerAToken, f.ShopA, "image/png", pngBytes(t, 8001, 1), 422, "invalid", "file"},
		{"absurd webp", f.SellerAToken, f.ShopA, "image/webp", webpVP8L(7000, 7000), 422, "invalid", "file"},
		{"too big", f.SellerAToken, f.ShopA, "image/png", big, 413, "too_large", ""},
		{"too big multipart", f.SellerAToken, f.ShopA, bigCT, bigMP, 413, "too_large", ""},
		{"multipart without file", f.SellerAToken, f.ShopA, mpCT, mp, 422, "invalid", "file"},
		{"broken multipart", f.SellerAToken, f.ShopA, "multipart/form-data; boundary=xyz", []byte("--xyz\r\nbroken"), 400, "bad_request", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.upload(t, tc.token, tc.shop, tc.ct, tc.data)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	if n := countImages(); n != blobsBefore {
		t.Errorf("refused uploads left %d blobs", n-blobsBefore)
	}
}

func TestWebPSize(t *testing.T) {
	t.Parallel()
	vp8 := func(w, h int) []byte {
		p := []byte{0, 0, 0, 0x9d, 0x01, 0x2a, 0, 0, 0, 0}
		binary.LittleEndian.PutUint16(p[6:], uint16(w))
		binary.LittleEndian.PutUint16(p[8:], uint16(h))
		return webpChunk("VP8 ", p)
	}
	vp8x := func(w, h int) []byte {
		p := make([]byte, 10)
		w, h = w-1, h-1
		p[4], p[5], p[6] = byte(w), byte(w>>8), byte(w>>16)
		p[7], p[8], p[9] = byte(h), byte(h>>8), byte(h>>16)
		return webpChunk("VP8X", p)
	}
	for _, tc := range []struct {
		name string
		data []byte
		w, h int
		ok   bool
	}{
		{"lossy", vp8(640, 480), 640, 480, true},
		{"lossless", webpVP8L(16383, 1), 16383, 1, true},
		{"extended", vp8x(70000, 3), 70000, 3, true},
		{"short", []byte("RIFF\x00\x00\x00\x00WEBP"), 0, 0, false},
		{"chunk longer than file", webpChunk("VP8L", []byte{0x2f, 0, 0, 0, 0})[:22], 0, 0, false},
		{"bad lossless signature", webpChunk("VP8L", []byte{0x00, 0, 0, 0, 0}), 0, 0, false},
		{"unknown chunk", webpChunk("ALPH", make([]byte, 10)), 0, 0, false},
		{"not riff", []byte("RIFX....WEBPVP8 ........."), 0, 0, false},
	} {
		w, h, ok := webpSize(tc.data)
		if ok != tc.ok || ok && (w != tc.w || h != tc.h) {
			t.Errorf("%s: webpSize = %d, %d, %v; want %d, %d, %v", tc.name, w, h, ok, tc.w, tc.h, tc.ok)
		}
	}
}
