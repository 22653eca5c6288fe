package hawkerhttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"hawker"
)

// encoding/json matches object keys to struct fields without regard to case
// and has no error type for unknown fields, so {"ON_HAND":7} would be taken
// for on_hand. checkKeys walks the raw value beside the target type first and
// refuses any key that is not exactly a field's JSON name, naming its path.

// objectKeyser is a type with its own UnmarshalJSON whose object form has
// these keys (and no others).
type objectKeyser interface{ objectKeys() []string }

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	objectKeyerType = reflect.TypeFor[objectKeyser]()
)

// checkBody refuses a body that is not one JSON object whose keys all match
// fields of T exactly. Syntax errors are left to the decoder.
func checkBody(raw []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil // the typed decode reports it with its position
	}
	if _, ok := v.(map[string]any); !ok && t.Kind() == reflect.Struct {
		return hawker.Errorf(hawker.EBADREQUEST, "The request body must be a JSON object.")
	}
	return checkKeys(v, t, "")
}

func checkKeys(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(objectKeyerType) {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		keys := reflect.New(t).Interface().(objectKeyser).objectKeys()
		for k := range obj {
			if !contains(keys, k) {
				return unknownField(join(path, k))
			}
		}
		return nil
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil // a type error, which the typed decode names
		}
		fields := jsonFields(t)
		for k, sub := range obj {
			ft, ok := fields[k]
			if !ok {
				return unknownField(join(path, k))
			}
			if err := checkKeys(sub, ft, join(path, k)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if obj, ok := v.(map[string]any); ok {
			for k, sub := range obj {
				if err := checkKeys(sub, t.Elem(), join(path, k)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if arr, ok := v.([]any); ok {
			for i, sub := range arr {
				if err := checkKeys(sub, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// jsonFields maps the exact JSON names of t's fields (with embedded structs'
// fields promoted) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func unknownField(path string) error {
	return &hawker.Error{Code: hawker.EBADREQUEST, Message: fmt.Sprintf("Unknown field %q (names are case-sensitive).", path), Field: path}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
