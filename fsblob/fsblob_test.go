package fsblob

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"hawker"
)

func TestStore(t *testing.T) {
	ctx := context.Background()
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "img_1.png", strings.NewReader("png bytes")); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, "img_1.png")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "png bytes" {
		t.Fatalf("read %q", b)
	}
	if err := s.Delete(ctx, "img_1.png"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, "img_1.png"); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Fatalf("after delete: %v", err)
	}
	for _, key := range []string{"../x", "a/b", "", ".hidden", "x.PNG/.."} {
		if err := s.Put(ctx, key, strings.NewReader("x")); hawker.ErrorCode(err) != hawker.EINVALID {
			t.Errorf("Put(%q) = %v, want invalid", key, err)
		}
	}
	entries, _ := os.ReadDir(s.dir)
	if len(entries) != 0 {
		t.Fatalf("left files behind: %v", entries)
	}
}
