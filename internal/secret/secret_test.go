package secret

import (
	"strings"
	"testing"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	for _, tc := range []struct {
		name, pw string
		want     bool
	}{
		{"right", "correct horse", true},
		{"wrong", "correct horsE", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := CheckPassword(h, tc.pw)
			if err != nil || ok != tc.want {
				t.Fatalf("CheckPassword = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=1,t=1,p=1$!!$AA"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("CheckPassword(%q) accepted a malformed hash", bad)
		}
	}
}

func TestToken(t *testing.T) {
	tok, hash := NewToken("hk")
	if !strings.HasPrefix(tok, "hk_") || len(tok) < 40 {
		t.Fatalf("token %q", tok)
	}
	if HashToken(tok) != hash || strings.Contains(hash, tok) {
		t.Fatal("hash does not match or contains the token")
	}
	tok2, _ := NewToken("hk")
	if tok == tok2 {
		t.Fatal("two tokens are equal")
	}
	if !Equal("a", "a") || Equal("a", "b") {
		t.Fatal("Equal")
	}
}
