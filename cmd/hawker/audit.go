package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"hawker/inventory"
	"hawker/payment"
)

// stockAuditor is a store that can check its stock invariants (the sqlite
// and postgres stores).
type stockAuditor interface {
	AuditStock(ctx context.Context) ([]inventory.Violation, error)
}

// paymentAuditor is a store that can check its payment invariants (the
// sqlite and postgres stores; see payment/audit.go).
type paymentAuditor interface {
	AuditPayments(ctx context.Context) ([]payment.Violation, error)
}

// errAuditViolation makes `hawker audit` exit non-zero when the store
// breaks a stock or payment invariant.
var errAuditViolation = errors.New("audit: stock or payment invariants violated")

// runAudit runs `hawker audit`: it checks, in one snapshot of the store,
// that every SKU has reserved + sold <= on_hand and counters equal to its
// orders' units, and that every deal's taken units equal its orders'; then,
// in another, the payments: no order charged twice, every paid or
// fulfilled order captured (or being captured), no money kept for an
// order that is not paid, no order refunded more than its total, every
// payment of its order's total. It only reads, so it may run while serve
// runs on the same store.
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
	pa, ok2 := db.(paymentAuditor)
	if !ok || !ok2 {
		return fmt.Errorf("audit: the %T store cannot audit stock and payments", db)
	}
	vs, err := a.AuditStock(ctx)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	pvs, err := pa.AuditPayments(ctx)
	if err != nil {
		return fmt.Errorf("audit payments: %w", err)
	}
	for _, v := range vs {
		fmt.Fprintf(stdout, "VIOLATION %s\n", v)
	}
	for _, v := range pvs {
		fmt.Fprintf(stdout, "VIOLATION %s [%s]\n", v, v.Invariant)
	}
	if n := len(vs) + len(pvs); n > 0 {
		fmt.Fprintf(stdout, "audit FAILED: %d violations: %d of stock, %d of payments (%s store)\n", n, len(vs), len(pvs), engineName(&sf))
		return errAuditViolation
	}
	fmt.Fprintf(stdout, "audit OK: no stock or payment violations (%s store)\n", engineName(&sf))
	return nil
}
