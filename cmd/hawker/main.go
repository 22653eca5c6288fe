// Command hawker runs the hawker live-shopping engine: `hawker serve` for the
// platform, plus commands for migrations and administration.
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "hawker: %v\n", err)
		os.Exit(1)
	}
}
