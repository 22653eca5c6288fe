// Package hawker holds the domain of the hawker live-shopping engine: ids,
// money, markets, the catalog, accounts and the storage interfaces every
// adapter implements. It imports nothing else from this module.
package hawker

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Version is stamped at build time with -ldflags "-X hawker.Version=…".
var Version = "dev"

// Id prefixes, one per resource type (see API.md "Ids").
const (
	PrefixUser    = "usr"
	PrefixSession = "ses"
	PrefixAPIKey  = "key"
	PrefixShop    = "shp"
	PrefixProduct = "prd"
	PrefixSKU     = "sku"
	PrefixImage   = "img"
	PrefixShow    = "shw"
	PrefixDeal    = "deal"
	PrefixOrder   = "ord"
	PrefixPayment = "pay"
)

var (
	idMu      sync.Mutex // guards idEntropy: ulid's monotonic reader is not safe for concurrent use
	idEntropy = ulid.Monotonic(rand.Reader, 0)
)

// NewID returns a new id such as "prd_01J…": a type prefix and a ULID, so ids
// sort by creation time and reveal their type.
func NewID(prefix string) string {
	idMu.Lock()
	id := ulid.MustNew(ulid.Timestamp(time.Now()), idEntropy)
	idMu.Unlock()
	return prefix + "_" + strings.ToLower(id.String())
}

// ValidID reports whether s looks like an id made by NewID with the prefix.
func ValidID(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != ulid.EncodedSize {
		return false
	}
	_, err := ulid.ParseStrict(strings.ToUpper(rest))
	return err == nil
}

// Error codes. They are the stable "code" of an API error; the HTTP adapter
// maps them to statuses in one table.
const (
	EBADREQUEST      = "bad_request"     // malformed input (syntax, types, unknown fields)
	EUNAUTHENTICATED = "unauthenticated" // no or bad credentials
	EFORBIDDEN       = "forbidden"       // authenticated, not allowed
	ENOTFOUND        = "not_found"       // no such resource, or not visible to the caller
	EEXISTS          = "already_exists"  // a unique value is taken
	ESTATE           = "invalid_state"   // the resource's state forbids the change
	ETOOLARGE        = "too_large"       // body or upload over the limit
	EINVALID         = "invalid"         // well-formed but invalid values
	ERATELIMITED     = "rate_limited"    // caller over its rate
	EBUSY            = "busy"            // server over capacity, retry later
	EINTERNAL        = "internal"        // a bug
	EUNSUPPORTED     = "unsupported_media_type"
)

// Error is the one error type of the domain: a machine code, a message safe
// to show the caller, and the input field at fault when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one input field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...), Field: field}
}

// ErrorCode returns the code of err, or EINTERNAL when err carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err; errors without a code
// hide their details.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Clock gives the server's time. Tests replace it; clients are never trusted
// for time.
type Clock func() time.Time

// Now returns the current time in UTC, truncated to microseconds so that it
// survives a round trip through either database unchanged.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
