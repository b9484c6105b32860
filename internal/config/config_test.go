package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrecedenceDefaultsFileEnvFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "renshi.json")
	os.WriteFile(file, []byte(`{"addr": ":7000", "db": "sqlite:file.db", "logLevel": "debug"}`), 0o600)
	t.Setenv("RENSHI_CONFIG", file)
	t.Setenv("RENSHI_DB", "postgres://u:secretpw@localhost/renshi")
	t.Setenv("RENSHI_MASTER_KEY", "c2VjcmV0")
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse([]string{"-addr", ":9000"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.DB != "postgres://u:secretpw@localhost/renshi" || c.LogLevel != "debug" || c.Workers != 2 {
		t.Fatalf("%+v", c)
	}
	out := c.Print()
	if strings.Contains(out, "secretpw") || strings.Contains(out, "c2VjcmV0") {
		t.Fatalf("secrets printed:\n%s", out)
	}
}

func TestInvalidRefused(t *testing.T) {
	t.Setenv("RENSHI_DB", "mysql://x")
	if _, err := Load(nil); err == nil {
		t.Fatal("want error")
	}
}
