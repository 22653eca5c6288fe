package hawkerhttp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"hawker"
)

// Image limits.
const (
	maxImageSide   = 8000       // pixels on either side
	maxImagePixels = 40_000_000 // width × height
	// maxMultipartOverhead is what a multipart upload may add to the image.
	maxMultipartOverhead = 64 << 10
)

// Image types hawker accepts, with the extension of their blob keys.
var imageTypes = map[string]string{
	"image/png":  ".png",
	"image/jpeg": ".jpg",
	"image/webp": ".webp",
}

// imageJSON is an image as the API answers it: its metadata and where the
// bytes are.
type imageJSON struct {
	*hawker.Image
	URL string `json:"url"`
}

type imageResponse struct {
	Image imageJSON `json:"image"`
}

func imageOut(img *hawker.Image) imageJSON {
	return imageJSON{Image: img, URL: "/media/images/" + img.ID}
}

// handleImageUpload stores an image for a shop (its sellers): the raw body
// with an image Content-Type, or multipart/form-data with a "file" part.
// The bytes must be the declared type (PNG, JPEG or WebP) by their content.
func handleImageUpload(store hawker.Store, blobs hawker.BlobStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, shop, err := shopForManager(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		data, declared, err := readUpload(w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		ct, width, height, err := sniffImage(data, declared)
		if err != nil {
			Error(w, r, err)
			return
		}
		img := &hawker.Image{
			ID:          hawker.NewID(hawker.PrefixImage),
			ShopID:      shop.ID,
			ContentType: ct,
			Width:       width,
			Height:      height,
			Bytes:       int64(len(data)),
			CreatedAt:   hawker.Now(),
		}
		img.Key = img.ID + imageTypes[ct]
		ctx := r.Context()
		if err := blobs.Put(ctx, img.Key, bytes.NewReader(data)); err != nil {
			Error(w, r, fmt.Errorf("put image blob: %w", err))
			return
		}
		if err := store.CreateImage(ctx, img); err != nil {
			if derr := blobs.Delete(ctx, img.Key); derr != nil {
				loggerFrom(r).WarnContext(ctx, "delete orphan image blob", "key", img.Key, "err", derr.Error())
			}
			Error(w, r, fmt.Errorf("create image: %w", err))
			return
		}
		encode(w, http.StatusCreated, imageResponse{Image: imageOut(img)})
	})
}

// readUpload returns the uploaded bytes and the type the client declared
// for them ("" when it declared none).
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	unsupported := hawker.Errorf(hawker.EUNSUPPORTED, "Upload a PNG, JPEG or WebP image: as the body with its image Content-Type, or as the \"file\" part of multipart/form-data.")
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, "", unsupported
	}
	switch {
	case mt == "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, hawker.MaxImageBytes+maxMultipartOverhead)
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, "", hawker.Errorf(hawker.EBADREQUEST, "The multipart body is malformed.")
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil, "", hawker.FieldError("file", "the multipart body needs a \"file\" part with the image")
			} else if err != nil {
				return nil, "", uploadError(err, "The multipart body is malformed.")
			}
			if part.FormName() != "file" {
				if _, err := io.Copy(io.Discard, part); err != nil {
					return nil, "", uploadError(err, "The multipart body is malformed.")
				}
				continue
			}
			declared := part.Header.Get("Content-Type")
			if declared == "application/octet-stream" {
				declared = ""
			}
			data, err := readAtMost(part, hawker.MaxImageBytes)
			return data, declared, err
		}
	case strings.HasPrefix(mt, "image/"):
		r.Body = http.MaxBytesReader(w, r.Body, hawker.MaxImageBytes)
		data, err := readAtMost(r.Body, hawker.MaxImageBytes)
		return data, mt, err
	}
	return nil, "", unsupported
}

// readAtMost reads all of rd, ETOOLARGE when it holds more than n bytes.
func readAtMost(rd io.Reader, n int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(rd, n+1))
	if err != nil {
		return nil, uploadError(err, "The upload broke off.")
	}
	if int64(len(data)) > n {
		return nil, errImageTooLarge()
	}
	return data, nil
}

func errImageTooLarge() error {
	return hawker.Errorf(hawker.ETOOLARGE, "Images may have at most %d bytes.", hawker.MaxImageBytes)
}

// uploadError is ETOOLARGE for a body over its limit, else EBADREQUEST.
func uploadError(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errImageTooLarge()
	}
	return hawker.Errorf(hawker.EBADREQUEST, "%s", msg)
}

// sniffImage finds the type and size of an image by its content. The
// declared type, when given, must match. Non-images are
// EUNSUPPORTED; absurd sizes EINVALID.
func sniffImage(data []byte, declared string) (ct string, width, height int, err error) {
	ct = http.DetectContentType(data)
	if _, ok := imageTypes[ct]; !ok {
		return "", 0, 0, hawker.Errorf(hawker.EUNSUPPORTED, "The upload is not a PNG, JPEG or WebP image.")
	}
	if declared != "" {
		d, _, _ := mime.ParseMediaType(declared)
		if d == "image/jpg" || d == "image/pjpeg" {
			d = "image/jpeg"
		}
		if d != ct {
			return "", 0, 0, hawker.Errorf(hawker.EUNSUPPORTED, "The upload is declared %s but its content is %s.", declared, ct)
		}
	}
	switch ct {
	case "image/png":
		c, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return "", 0, 0, hawker.Errorf(hawker.EUNSUPPORTED, "The upload is not a valid PNG image.")
		}
		width, height = c.Width, c.Height
	case "image/jpeg":
		c, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return "", 0, 0, hawker.Errorf(hawker.EUNSUPPORTED, "The upload is not a valid JPEG image.")
		}
		width, height = c.Width, c.Height
	case "image/webp":
		var ok bool
		width, height, ok = webpSize(data)
		if !ok {
			return "", 0, 0, hawker.Errorf(hawker.EUNSUPPORTED, "The upload is not a valid WebP image.")
		}
	}
	if width < 1 || height < 1 || width > maxImageSide || height > maxImageSide || int64(width)*int64(height) > maxImagePixels {
		return "", 0, 0, hawker.FieldError("file", "images must be at most %d pixels a side and %d megapixels; this one is %d×%d", maxImageSide, maxImagePixels/1_000_000, width, height)
	}
	return ct, width, height, nil
}

// webpSize reads a WebP image's canvas size from its first chunk: VP8X
// (extended), VP8L (lossless) or "VP8 " (lossy). See RFC 9649.
func webpSize(b []byte) (width, height int, ok bool) {
	if len(b) < 20 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, false
	}
	chunk := string(b[12:16])
	size := binary.LittleEndian.Uint32(b[16:20])
	p := b[20:]
	if uint64(size) > uint64(len(p)) {
		return 0, 0, false
	}
	p = p[:size]
	switch chunk {
	case "VP8X":
		if len(p) < 10 {
			return 0, 0, false
		}
		width = 1 + int(uint32(p[4])|uint32(p[5])<<8|uint32(p[6])<<16)
		height = 1 + int(uint32(p[7])|uint32(p[8])<<8|uint32(p[9])<<16)
		return width, height, true
	case "VP8L":
		if len(p) < 5 || p[0] != 0x2f {
			return 0, 0, false
		}
		bits := binary.LittleEndian.Uint32(p[1:5])
		width = 1 + int(bits&0x3fff)
		height = 1 + int(bits>>14&0x3fff)
		return width, height, true
	case "VP8 ":
		if len(p) < 10 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a {
			return 0, 0, false
		}
		width = int(binary.LittleEndian.Uint16(p[6:8]) & 0x3fff)
		height = int(binary.LittleEndian.Uint16(p[8:10]) & 0x3fff)
		return width, height, true
	}
	return 0, 0, false
}

// findImage returns the image with the id; ENOTFOUND otherwise.
func findImage(r *http.Request, store hawker.Store) (*hawker.Image, error) {
	id := r.PathValue("id")
	if !hawker.ValidID(hawker.PrefixImage, id) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such image.")
	}
	img, err := store.FindImageByID(r.Context(), id)
	if err != nil {
		return nil, notFound(err, "No such image.")
	}
	return img, nil
}

// handleImageGet answers an image's metadata; images are public.
func handleImageGet(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		img, err := findImage(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, imageResponse{Image: imageOut(img)})
	})
}

// handleImageBytes serves an image's bytes. They never change, so caches
// may keep them forever; the type is the sniffed one and browsers may not
// guess another, nor run anything in it.
func handleImageBytes(store hawker.Store, blobs hawker.BlobStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		img, err := findImage(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		etag := `"` + img.ID + `"`
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Security-Policy", "default-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", etag)
		if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		rc, err := blobs.Open(r.Context(), img.Key)
		if err != nil {
			h.Set("Cache-Control", "no-store")
			h.Del("ETag")
			Error(w, r, notFound(err, "No such image."))
			return
		}
		defer rc.Close()
		h.Set("Content-Type", img.ContentType)
		h.Set("Content-Length", strconv.FormatInt(img.Bytes, 10))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if _, err := io.Copy(w, rc); err != nil {
			loggerFrom(r).WarnContext(r.Context(), "send image", "id", img.ID, "err", err.Error())
		}
	})
}
