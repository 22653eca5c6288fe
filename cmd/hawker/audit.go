package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"hawker/inventory"
)

// stockAuditor is a store that can check its stock invariants (the sqlite
// and postgres stores).
type stockAuditor interface {
	AuditStock(ctx context.Context) ([]inventory.Violation, error)
}

// errAuditViolation makes `hawker audit` exit non-zero when the store
// breaks a stock invariant.
var errAuditViolation = errors.New("audit: stock invariants violated")

// runAudit runs `hawker audit`: it checks, in one snapshot of the store,
// that every SKU has reserved + sold <= on_hand and counters equal to its
// orders' units, and that every deal's taken units equal its orders'. It
// only reads, so it may run while serve runs on the same store.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs, getenv)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	db, err := openStore(ctx, &sf, false, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	a, ok := db.(stockAuditor)
	if !ok {
		return fmt.Errorf("audit: the %T store cannot audit stock", db)
	}
	vs, err := a.AuditStock(ctx)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for _, v := range vs {
		fmt.Fprintf(stdout, "VIOLATION %s\n", v)
	}
	if len(vs) > 0 {
		fmt.Fprintf(stdout, "audit FAILED: %d violations (%s store)\n", len(vs), engineName(&sf))
		return errAuditViolation
	}
	fmt.Fprintf(stdout, "audit OK: no stock violations (%s store)\n", engineName(&sf))
	return nil
}
