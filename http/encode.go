package hawkerhttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"hawker"
)

// MaxBodyBytes bounds every JSON request body (API spec: 1 MiB).
const MaxBodyBytes = 1 << 20

// Codes used only by the HTTP layer.
const (
	codeMethodNotAllowed = "method_not_allowed"
	codeUnavailable      = "unavailable"
	codeIdempotencyReuse = hawker.EKEYREUSED
)

// codeStatus is the one table that turns error codes into HTTP statuses.
// A code missing from it answers 500.
var codeStatus = map[string]int{
	hawker.EBADREQUEST:      http.StatusBadRequest,
	hawker.EUNAUTHENTICATED: http.StatusUnauthorized,
	hawker.EFORBIDDEN:       http.StatusForbidden,
	hawker.ENOTFOUND:        http.StatusNotFound,
	codeMethodNotAllowed:    http.StatusMethodNotAllowed,
	hawker.EEXISTS:          http.StatusConflict,
	hawker.ESTATE:           http.StatusConflict,
	hawker.ESOLDOUT:         http.StatusConflict,
	hawker.ELIMIT:           http.StatusConflict,
	hawker.EDEALNOTACTIVE:   http.StatusConflict,
	hawker.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	hawker.EUNSUPPORTED:     http.StatusUnsupportedMediaType,
	hawker.EINVALID:         http.StatusUnprocessableEntity,
	codeIdempotencyReuse:    http.StatusUnprocessableEntity,
	hawker.ERATELIMITED:     http.StatusTooManyRequests,
	hawker.EBUSY:            http.StatusTooManyRequests,
	hawker.EINTERNAL:        http.StatusInternalServerError,
	codeUnavailable:         http.StatusServiceUnavailable,
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// retryError is an error that asks the client to come back later; Error
// sets Retry-After from it.
type retryError struct {
	err   *hawker.Error
	After int // seconds, >= 1
}

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

// Error answers err as a JSON error. Errors without a code are internal: they
// are logged in full and answered "Internal error." without details.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	code := hawker.ErrorCode(err)
	status, ok := codeStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := errorBody{Error: errorJSON{Code: code, Message: hawker.ErrorMessage(err)}}
	var he *hawker.Error
	if errors.As(err, &he) {
		body.Error.Field = he.Field
	}
	if status == http.StatusInternalServerError {
		loggerFrom(r).ErrorContext(r.Context(), "internal error",
			"method", r.Method, "path", r.URL.Path, "err", err.Error())
		body.Error = errorJSON{Code: hawker.EINTERNAL, Message: "Internal error."}
	}
	var re *retryError
	if errors.As(err, &re) {
		w.Header().Set("Retry-After", strconv.Itoa(max(re.After, 1)))
	}
	if info := infoFrom(r); info != nil {
		info.errCode = body.Error.Code
	}
	encode(w, status, body)
}

// encode writes v as JSON with the status. HTML characters stay escaped so
// that stored strings can never turn into markup in a careless client.
func encode(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		// Only a programming error (an unsupported type) gets here.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"Internal error."}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// noContent answers 204.
func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// decode reads one JSON value of type T from the request body: at most
// MaxBodyBytes (else ETOOLARGE), no unknown fields, nothing after the value.
// Syntax and type errors are EBADREQUEST, with the field when known.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONContentType(ct) {
		return v, hawker.Errorf(hawker.EUNSUPPORTED, "The request body must be JSON (Content-Type: application/json).")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return v, decodeError(err)
	}
	if err := checkBody(raw, reflect.TypeFor[T]()); err != nil {
		return v, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, decodeError(err)
	}
	// Exactly one value: anything but white space after it is an error.
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return v, decodeError(err)
		}
		return v, hawker.Errorf(hawker.EBADREQUEST, "The request body must hold one JSON value and nothing after it.")
	}
	return v, nil
}

func isJSONContentType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decodeError turns an encoding/json error into a caller-safe *hawker.Error.
func decodeError(err error) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return hawker.Errorf(hawker.ETOOLARGE, "The request body is larger than %d bytes.", mbe.Limit)
	case errors.Is(err, io.EOF):
		return hawker.Errorf(hawker.EBADREQUEST, "The request body is empty; it must be a JSON value.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return hawker.Errorf(hawker.EBADREQUEST, "The request body is not valid JSON: it ends too early.")
	case errors.As(err, &se):
		return hawker.Errorf(hawker.EBADREQUEST, "The request body is not valid JSON (at byte %d).", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return hawker.Errorf(hawker.EBADREQUEST, "The request body must be a JSON %s.", jsonKind(te.Type.Kind().String()))
		}
		return &hawker.Error{
			Code:    hawker.EBADREQUEST,
			Message: fmt.Sprintf("%s must be %s, not %s.", field, jsonKind(te.Type.Kind().String()), te.Value),
			Field:   field,
		}
	}
	// encoding/json has no error type for unknown fields; its message is
	// `json: unknown field "name"` (stable since Go 1.10).
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return &hawker.Error{Code: hawker.EBADREQUEST, Message: fmt.Sprintf("Unknown field %q.", name), Field: name}
	}
	var he *hawker.Error
	if errors.As(err, &he) {
		return he
	}
	return hawker.Errorf(hawker.EBADREQUEST, "The request body is not valid JSON.")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	}
	return "a valid value"
}

// list is the JSON shape of every list answer.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// parsePage reads ?limit= and ?cursor= for a list of ids with the prefix.
// The store page asks for one item more than the limit so that the answer
// knows whether there is a next page.
func parsePage(r *http.Request, prefix string) (hawker.Page, error) {
	q := r.URL.Query()
	limit := hawker.DefaultPageLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > hawker.MaxPageLimit {
			return hawker.Page{}, hawker.FieldError("limit", "limit must be an integer 1..%d", hawker.MaxPageLimit)
		}
		limit = n
	}
	var after string
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || !hawker.ValidID(prefix, string(b)) {
			return hawker.Page{}, hawker.FieldError("cursor", "cursor is not one this server gave out")
		}
		after = string(b)
	}
	return hawker.Page{After: after, Limit: limit + 1}, nil
}

// pageOf cuts the store's answer (fetched with parsePage's limit+1) to the
// page and makes the cursor of the next one.
func pageOf[T any](items []T, p hawker.Page, id func(T) string) list[T] {
	limit := p.Limit - 1
	out := list[T]{Items: items}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(items) > limit {
		out.Items = items[:limit]
		c := base64.RawURLEncoding.EncodeToString([]byte(id(items[limit-1])))
		out.NextCursor = &c
	}
	return out
}

// whole is a list answer without paging.
func whole[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items}
}

// loggerFrom returns the request's logger (set by the server) or the default.
func loggerFrom(r *http.Request) *slog.Logger {
	if info := infoFrom(r); info != nil && info.logger != nil {
		return info.logger
	}
	return slog.Default()
}
