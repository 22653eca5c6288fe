package hawkerhttp

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// A buy button's body as the flash-sale benchmark posts it.
const benchOrderBody = `{"market":"US","lines":[{"sku_id":"sku_01jbz3n8q4m2x7c5v6w9t0r1ys","quantity":1}],"show_id":"shw_01jbz3n8q4m2x7c5v6w9t0r1ys"}`

const benchOrderAddressBody = `{"market":"US","lines":[{"sku_id":"sku_01jbz3n8q4m2x7c5v6w9t0r1ys","quantity":1},{"sku_id":"sku_01jbz3n8q4m2x7c5v6w9t0r1yt","quantity":2}],"show_id":"shw_01jbz3n8q4m2x7c5v6w9t0r1ys","deal_id":"deal_01jbz3n8q4m2x7c5v6w9t0r1ys","shipping_address":{"name":"Bea Buyer","line1":"1 Main St","line2":"Apt 2","city":"Springfield","region":"IL","postal_code":"62701","country":"US","phone":"+1 217 555 0100"}}`

// reusableBody lets the benchmark refill one request's body without
// allocating, so that the numbers are decode's own.
type reusableBody struct{ bytes.Reader }

func (*reusableBody) Close() error { return nil }

func benchDecode[T any](b *testing.B, body string) {
	raw := []byte(body)
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/api/v1/orders", nil)
	r.Header.Set("Content-Type", "application/json")
	rb := &reusableBody{}
	b.ReportAllocs()
	for b.Loop() {
		rb.Reset(raw)
		r.Body = rb
		if _, err := decode[T](w, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeOrderRequest(b *testing.B) { benchDecode[orderBody](b, benchOrderBody) }

func BenchmarkDecodeOrderRequestAddress(b *testing.B) {
	benchDecode[orderBody](b, benchOrderAddressBody)
}

// Shapes checkKeys handles, beside orderBody: an objectKeyser in a map,
// an unmarshaler, embedding, a recursive type, a free-form field.
type (
	strictEmbedded struct {
		Note string `json:"note"`
	}
	strictTree struct {
		strictEmbedded
		Name     string                `json:"name"`
		Prices   map[string]priceInput `json:"prices"`
		Cover    optionalID            `json:"cover"`
		Children []*strictTree         `json:"children"`
		Extra    any                   `json:"extra"`
		Tags     map[string][]orderBody
		Fixed    [2]hawkerLine `json:"fixed"`
		Skipped  string        `json:"-"`
		hidden   string        // checkKeys refuses unexported names
	}
	hawkerLine struct {
		SKU string `json:"sku_id"`
	}
)

var strictBodies = []string{
	benchOrderBody, benchOrderAddressBody,
	`{}`, ` {"market":"US"} `, "\t\r\n{\"market\" : \"US\" , \"lines\" : [ ] }",
	`{"MARKET":"US"}`, `{"Market":"US"}`, `{"market":"US","lines":[{"SKU_ID":"x","quantity":1}]}`,
	`{"market":"US","lines":[{"sku_id":"x","Quantity":1}]}`, `{"market":"US","shipping_address":{"Name":"B"}}`,
	`{"market":"US","shipping_address":{"name":"B","zip":"1"}}`, `{"market":"US","shipping_address":"1 Main St"}`,
	`{"market":"US","shipping_address":null}`, `{"market":"US","lines":{"sku_id":"x"}}`, `{"market":"US","lines":"x"}`,
	`{"market":{"MARKET":1},"lines":[[{"X":1}]]}`, `{"market":"US","lines":[null,{"sku_id":"x"},"s",1]}`,
	`{"lines":[{"SKU_ID":"x"}],"lines":[{"sku_id":"x"}]}`, `{"lines":[{"sku_id":"x"}],"lines":[{"SKU_ID":"x"}]}`,
	`{"mark\u0065t":"US"}`, `{"m\u00e4rket":"US"}`, "{\"m\xffrket\":\"US\"}", `{"märket":"US"}`,
	`{"market":"U\"S}","lines":[]}`, `{"market":"a\\","show_id":"b"}`, `{"market":"US"} {"MARKET":"DE"}`,
	`{"market":"US"`, `{"market":"US",}`, `{"market" "US"}`, `{"market":US}`, `{market:"US"}`, `{"market":"US"]`,
	`[]`, `null`, `"x"`, `1`, ``, `   `, `{"a":1}x`, `{"market":1e9,"lines":[{"quantity":-0.5e+3}]}`,
	`{"market":true,"show_id":false,"deal_id":null}`, `{"lines":[{"sku_id":"x","quantity":1},]}`,
	strings.Repeat(`{"market":`, 20) + `1` + strings.Repeat(`}`, 20),
	`{"lines":` + strings.Repeat(`[`, 12000) + strings.Repeat(`]`, 12000) + `}`,
	`{"name":"n","note":"x","prices":{"US":1,"DE":{"amount":1,"currency":"EUR"}}}`,
	`{"prices":{"US":{"Amount":1,"Currency":"USD"}}}`, `{"prices":{"US":{"amount":1,"cur":"USD"}}}`,
	`{"prices":{"U\"S":1,"D\u00c4":{"amount":1}}}`, `{"cover":{"ANY":1}}`, `{"cover":null}`,
	`{"children":[{"name":"a","children":[{"NAME":"b"}]}]}`, `{"children":[{"name":"a","children":[{"name":"b"}]}]}`,
	`{"extra":{"ANY":{"KEY":[1]}}}`, `{"Tags":{"x":[{"market":"US"}]}}`, `{"Tags":{"x":[{"Market":"US"}]}}`,
	`{"tags":{}}`, `{"fixed":[{"sku_id":"a"},{"SKU_ID":"b"}]}`, `{"fixed":[{"sku_id":"a"}]}`,
	`{"Skipped":"x"}`, `{"-":"x"}`, `{"hidden":"x"}`, `{"Note":"x"}`, `{"strictEmbedded":{}}`,
}

var strictTypes = []reflect.Type{reflect.TypeFor[orderBody](), reflect.TypeFor[strictTree](), reflect.TypeFor[*strictTree]()}

// keysOK may only skip checkTree where checkTree finds nothing, or
// checkBody answers differently than it did.
func checkKeysOKSound(t *testing.T, raw []byte) {
	t.Helper()
	for _, typ := range strictTypes {
		if keysOK(raw, typ) {
			if err := checkTree(raw, typ); err != nil {
				t.Errorf("%s %.200q: keysOK says yes, checkTree says %v", typ, raw, err)
			}
		}
	}
}

func TestKeysOKAgreesWithTree(t *testing.T) {
	for _, body := range strictBodies {
		checkKeysOKSound(t, []byte(body))
	}
}

// The fast path must be taken by the bodies that matter, or it saves
// nothing.
func TestKeysOKTakesGoodBodies(t *testing.T) {
	for _, tc := range []struct {
		typ  reflect.Type
		body string
	}{
		{reflect.TypeFor[orderBody](), benchOrderBody},
		{reflect.TypeFor[orderBody](), benchOrderAddressBody},
		{reflect.TypeFor[orderBody](), `{"market":"US","lines":[{"sku_id":"x","quantity":1}],"shipping_address":null,"deal_id":"d"}`},
		{reflect.TypeFor[strictTree](), `{"name":"n","note":"x","prices":{"US":1,"D\u00c4":{"amount":1,"currency":"EUR"}},"cover":"img_1",` +
			`"children":[{"children":[]}],"extra":{"ANY":[1,{"K":"\""}]},"Tags":{"x":[{"market":"US"}]},"fixed":[{"sku_id":"a"}]}`},
	} {
		if !keysOK([]byte(tc.body), tc.typ) {
			t.Errorf("%s %s: keysOK says no", tc.typ, tc.body)
		}
	}
}

func FuzzKeysOK(f *testing.F) {
	for _, body := range strictBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkKeysOKSound(t, raw) })
}
