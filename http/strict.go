package hawkerhttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

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
	// checkTree's tree costs as much as the typed decode itself, on every
	// order; bodies that keysOK vouches for cannot fail it.
	if keysOK(raw, t) {
		return nil
	}
	return checkTree(raw, t)
}

// checkTree is checkBody on the decoded tree: the reference answer, and the
// one that names the offending key.
func checkTree(raw []byte, t reflect.Type) error {
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

// keysOK reports, without building the tree, that checkTree would accept
// raw. It only ever says yes when checkTree would; it says no to anything it
// need not settle itself (a bad key, which checkTree names, an escaped or
// non-ASCII key, whose decoded form checkTree knows, a top-level value that
// is not an object, nesting too deep), leaving those to checkTree. Invalid
// JSON gets either answer: checkTree leaves it to the typed decode anyway.
func keysOK(raw []byte, t reflect.Type) bool {
	s := keyScanner{raw: raw}
	s.space()
	if s.i >= len(raw) || raw[s.i] != '{' {
		return false
	}
	return s.value(planFor(t), 0)
}

// keyPlan is what checkKeys learns of a type by reflection, learnt once per
// type: reflect.PointerTo, Implements and the field walk are most of
// checkKeys' cost on small bodies.
type keyPlan struct {
	kind planKind
	// planStruct: the exact JSON names and the plans of their values;
	// planKeys: the names alone, with anyPlan values.
	fields map[string]*keyPlan
	elem   *keyPlan // planMap, planSlice
}

type planKind uint8

const (
	planAny    planKind = iota // checkKeys looks no deeper
	planKeys                   // an objectKeyser
	planStruct                 // exact names, each value checked
	planMap                    // any names, each value checked
	planSlice                  // slices and arrays
)

var (
	anyPlan  = &keyPlan{}
	keyPlans sync.Map // reflect.Type -> *keyPlan
)

func planFor(t reflect.Type) *keyPlan {
	if p, ok := keyPlans.Load(t); ok {
		return p.(*keyPlan)
	}
	p, _ := keyPlans.LoadOrStore(t, buildPlan(t, map[reflect.Type]*keyPlan{}))
	return p.(*keyPlan)
}

// buildPlan follows checkKeys case by case; seen ends the walk of
// recursive types.
func buildPlan(t reflect.Type, seen map[reflect.Type]*keyPlan) *keyPlan {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if p, ok := seen[t]; ok {
		return p
	}
	p := &keyPlan{}
	seen[t] = p
	if reflect.PointerTo(t).Implements(objectKeyerType) {
		p.kind = planKeys
		p.fields = map[string]*keyPlan{}
		for _, k := range reflect.New(t).Interface().(objectKeyser).objectKeys() {
			p.fields[k] = anyPlan
		}
		return p
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return p
	}
	switch t.Kind() {
	case reflect.Struct:
		p.kind = planStruct
		p.fields = map[string]*keyPlan{}
		for k, ft := range jsonFields(t) {
			p.fields[k] = buildPlan(ft, seen)
		}
	case reflect.Map:
		p.kind = planMap
		p.elem = buildPlan(t.Elem(), seen)
	case reflect.Slice, reflect.Array:
		p.kind = planSlice
		p.elem = buildPlan(t.Elem(), seen)
	}
	return p
}

// maxKeyDepth bounds keyScanner's recursion; encoding/json refuses deeper
// nesting than this anyway.
const maxKeyDepth = 10000

// keyScanner walks one JSON value beside a keyPlan. It must read valid JSON
// exactly as encoding/json does; on invalid JSON it only has to stay in
// bounds.
type keyScanner struct {
	raw []byte
	i   int
}

func (s *keyScanner) space() {
	for s.i < len(s.raw) {
		switch s.raw[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *keyScanner) value(p *keyPlan, depth int) bool {
	if depth > maxKeyDepth {
		return false
	}
	s.space()
	if s.i >= len(s.raw) {
		return false
	}
	switch s.raw[s.i] {
	case '{':
		if p.kind == planStruct || p.kind == planKeys || p.kind == planMap {
			return s.object(p, depth)
		}
	case '[':
		if p.kind == planSlice {
			return s.array(p.elem, depth)
		}
	}
	// checkKeys skips a value whose JSON kind does not fit the type: the
	// typed decode refuses it.
	return s.skip()
}

// object reads the object at s.i.
func (s *keyScanner) object(p *keyPlan, depth int) bool {
	if s.empty('}') {
		return true
	}
	for {
		s.space()
		if s.i >= len(s.raw) || s.raw[s.i] != '"' {
			return false
		}
		sub := p.elem
		if p.kind == planMap {
			if !s.skipString() {
				return false
			}
		} else {
			key, ok := s.plainKey()
			if !ok {
				return false
			}
			// Every occurrence of a repeated key is checked, where
			// checkTree sees only the last: stricter, so still sound.
			if sub, ok = p.fields[string(key)]; !ok {
				return false
			}
		}
		s.space()
		if s.i >= len(s.raw) || s.raw[s.i] != ':' {
			return false
		}
		s.i++
		if !s.value(sub, depth+1) {
			return false
		}
		if more, ok := s.sep('}'); !more {
			return ok
		}
	}
}

// array reads the array at s.i.
func (s *keyScanner) array(elem *keyPlan, depth int) bool {
	if s.empty(']') {
		return true
	}
	for {
		if !s.value(elem, depth+1) {
			return false
		}
		if more, ok := s.sep(']'); !more {
			return ok
		}
	}
}

// empty moves past the opening byte at s.i, and past the closing one too
// when nothing comes between them.
func (s *keyScanner) empty(close byte) bool {
	s.i++
	s.space()
	if s.i < len(s.raw) && s.raw[s.i] == close {
		s.i++
		return true
	}
	return false
}

// sep reads what follows a member or element: a comma (more follows) or
// the closing byte (ok, done); anything else is not ok.
func (s *keyScanner) sep(close byte) (more, ok bool) {
	s.space()
	if s.i >= len(s.raw) {
		return false, false
	}
	switch s.raw[s.i] {
	case ',':
		s.i++
		return true, true
	case close:
		s.i++
		return false, true
	}
	return false, false
}

// plainKey reads the string at s.i when its bytes are its value: printable
// ASCII without escapes. Anything else is for checkTree, which decodes it
// (invalid UTF-8 becomes U+FFFD there, and the key is quoted in the error).
func (s *keyScanner) plainKey() ([]byte, bool) {
	start := s.i + 1
	for j := start; j < len(s.raw); j++ {
		switch c := s.raw[j]; {
		case c == '"':
			s.i = j + 1
			return s.raw[start:j], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

// skipString moves past the string at s.i.
func (s *keyScanner) skipString() bool {
	for j := s.i + 1; j < len(s.raw); j++ {
		switch s.raw[j] {
		case '"':
			s.i = j + 1
			return true
		case '\\':
			j++
		}
	}
	return false
}

// skip moves past the value at s.i, whatever its keys.
func (s *keyScanner) skip() bool {
	if s.i >= len(s.raw) {
		return false
	}
	switch s.raw[s.i] {
	case '"':
		return s.skipString()
	case '{', '[':
		nest := 0
		for s.i < len(s.raw) {
			switch s.raw[s.i] {
			case '"':
				if !s.skipString() {
					return false
				}
				continue
			case '{', '[':
				nest++
			case '}', ']':
				nest--
				if nest == 0 {
					s.i++
					return true
				}
			}
			s.i++
		}
		return false
	}
	// A number, true, false or null runs up to the next delimiter.
	start := s.i
	for s.i < len(s.raw) {
		switch s.raw[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return s.i > start
		}
		s.i++
	}
	return s.i > start
}
