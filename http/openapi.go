package hawkerhttp

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"
)

// The OpenAPI 3.0.3 document of the API: every route the server registers
// (see routes.go), with its request and response bodies, parameters,
// security and error answers. openapi_test.go checks the server against it
// both ways: every route is documented, every documented route is
// registered, and real answers validate against the schemas.
//
// openapi.json holds the core; each file in openapi/ adds the paths, tags
// and components of one area (orders, payments, deals, …), so that areas
// grow without editing one shared file. A path, component or tag defined
// twice is a bug the tests catch (the document fails to build).
var (
	//go:embed openapi.json
	oaCore []byte
	//go:embed openapi
	oaParts embed.FS

	oaOnce sync.Once
	oaDoc  []byte
	oaErr  error
)

// openAPIDocument returns the OpenAPI document served at
// GET /api/v1/openapi.json. Callers must not modify the returned bytes.
func openAPIDocument() []byte {
	oaOnce.Do(func() { oaDoc, oaErr = buildOpenAPI() })
	if oaErr != nil {
		panic(oaErr) // the embedded files are wrong: caught by every test
	}
	return oaDoc
}

// buildOpenAPI merges the fragments into the core document.
func buildOpenAPI() ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(oaCore, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	names, err := fs.Glob(oaParts, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names { // Glob sorts: the result is stable
		b, err := fs.ReadFile(oaParts, name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k := range part {
			if k != "paths" && k != "components" && k != "tags" {
				return nil, fmt.Errorf("%s: only paths, components and tags may be added, not %q", name, k)
			}
		}
		if err := mergeObject(doc, part, "paths", name); err != nil {
			return nil, err
		}
		if comps, ok := part["components"].(map[string]any); ok {
			dst, _ := doc["components"].(map[string]any)
			for _, kind := range slices.Sorted(maps.Keys(comps)) {
				if err := mergeObject(dst, comps, kind, name); err != nil {
					return nil, err
				}
			}
		}
		if tags, ok := part["tags"].([]any); ok {
			have, _ := doc["tags"].([]any)
			for _, t := range tags {
				for _, h := range have {
					if tagName(h) == tagName(t) {
						return nil, fmt.Errorf("%s: tag %q is defined twice", name, tagName(t))
					}
				}
				have = append(have, t)
			}
			doc["tags"] = have
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mergeObject adds src[key]'s entries to dst[key], refusing duplicates.
func mergeObject(dst, src map[string]any, key, file string) error {
	add, ok := src[key].(map[string]any)
	if !ok {
		return nil
	}
	into, _ := dst[key].(map[string]any)
	if into == nil {
		into = map[string]any{}
		dst[key] = into
	}
	for k, v := range add {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %s %q is defined twice", file, key, k)
		}
		into[k] = v
	}
	return nil
}

func tagName(t any) string {
	m, _ := t.(map[string]any)
	s, _ := m["name"].(string)
	return s
}
