package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBackgroundCheckpoint: the WAL is copied back into the database file
// by the background loop, not by a commit (the writer's own checkpoint
// waits for writerCheckpointPages, far more than written here).
func TestBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt.db")
	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	if err := db.writeTx(t.Context(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE TABLE scratch (b BLOB)`); err != nil {
			return err
		}
		for range 512 {
			if _, err := tx.Exec(`INSERT INTO scratch VALUES (randomblob(4000))`); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes (was %d) %v after 2 MB were committed: the WAL was not checkpointed in the background", size(), before, 10*time.Second)
		}
		time.Sleep(20 * time.Millisecond) // polling the file, not waiting for a fixed time
	}
}
