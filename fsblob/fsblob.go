// Package fsblob keeps uploaded files in a directory: hawker's default
// [hawker.BlobStore], under the data dir.
package fsblob

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"hawker"
)

// keyRe keeps keys to plain names so that no key can escape the directory.
var keyRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}(\.[a-z0-9]{1,8})?$`)

// Store is a directory of blobs.
type Store struct{ dir string }

var _ hawker.BlobStore = (*Store)(nil)

// New returns a store in dir, creating it when missing.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(key string) (string, error) {
	if !keyRe.MatchString(key) {
		return "", hawker.Errorf(hawker.EINVALID, "bad blob key")
	}
	return filepath.Join(s.dir, key), nil
}

// Put writes the blob atomically: to a temporary file, synced, then renamed,
// so a crash never leaves half a file under the key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

// Open returns the blob; ENOTFOUND when there is none.
func (s *Store) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no such file")
	}
	return f, err
}

// Delete removes the blob; deleting a missing blob is not an error.
func (s *Store) Delete(_ context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
