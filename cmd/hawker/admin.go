package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"hawker"
	"hawker/internal/secret"
)

func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create-key" {
		fmt.Fprintln(stderr, "usage: hawker admin create-key --role ROLE --name NAME")
		return fmt.Errorf("unknown admin command")
	}
	fs := flag.NewFlagSet("admin create-key", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs, getenv)
	role := fs.String("role", "admin", "role of the key: admin, seller, host, moderator or buyer")
	name := fs.String("name", "", "what the key is for (required)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if !hawker.ValidRole(hawker.Role(*role)) {
		return fmt.Errorf("--role %q is not one of admin, seller, host, moderator, buyer", *role)
	}
	if err := hawker.ValidateText("name", *name, 1, hawker.MaxNameLen); err != nil {
		return fmt.Errorf("--name: %s", hawker.ErrorMessage(err))
	}
	db, err := openStore(ctx, &sf, false, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := createAPIKey(ctx, db, *name, hawker.Role(*role))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created API key %q with role %s; it is shown once, below\n", *name, *role)
	fmt.Fprintln(stdout, key)
	return nil
}

// createAPIKey stores a new key's hash and returns the key itself.
func createAPIKey(ctx context.Context, db hawker.Store, name string, role hawker.Role) (string, error) {
	key, hash := secret.NewToken("hk")
	k := &hawker.APIKey{
		ID:        hawker.NewID(hawker.PrefixAPIKey),
		Name:      name,
		Role:      role,
		KeyHash:   hash,
		Prefix:    key[:10],
		CreatedAt: hawker.Now(),
	}
	if err := db.CreateAPIKey(ctx, k); err != nil {
		return "", fmt.Errorf("store API key: %w", err)
	}
	return key, nil
}
