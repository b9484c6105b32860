// Command renshi is the Renshi HR server and its operator tools.
package main

import (
	"os"

	"github.com/renshi/renshi/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
