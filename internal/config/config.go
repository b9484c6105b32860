// Package config builds Renshi's one typed configuration: defaults, then
// a JSON file, then RENSHI_* environment variables, then flags.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// Config is the effective configuration. The env tag names the
// environment variable; secret fields are masked when printed.
type Config struct {
	Env           string `json:"env" env:"RENSHI_ENV" help:"development or production (production refuses to start without a master key)"`
	Addr          string `json:"addr" env:"RENSHI_ADDR" help:"listen address"`
	DB            string `json:"db" env:"RENSHI_DB" help:"sqlite:PATH or postgres://user:pass@host/db"`
	BaseURL       string `json:"baseUrl" env:"RENSHI_BASE_URL" help:"public URL of the server (https:// makes cookies Secure)"`
	MasterKey     string `json:"masterKey" env:"RENSHI_MASTER_KEY" secret:"true" help:"base64 32-byte key that wraps the data keys"`
	MasterKeyFile string `json:"masterKeyFile" env:"RENSHI_MASTER_KEY_FILE" help:"file holding the master key (generated in development)"`
	LogLevel      string `json:"logLevel" env:"RENSHI_LOG_LEVEL" help:"debug, info, warn or error"`
	LogFormat     string `json:"logFormat" env:"RENSHI_LOG_FORMAT" help:"text or json"`
	TrustProxy    bool   `json:"trustProxy" env:"RENSHI_TRUST_PROXY" help:"take client IPs from X-Forwarded-For"`
	Workers       int    `json:"workers" env:"RENSHI_WORKERS" help:"background job workers in this process"`
	FilesDir      string `json:"filesDir" env:"RENSHI_FILES_DIR" help:"directory for uploaded files"`
	SMTPURL       string `json:"smtpUrl" env:"RENSHI_SMTP_URL" secret:"true" help:"mail server for tenants without their own: smtp://user:pass@host:587?from=hr@x.com&tls=starttls"`
	PprofAddr     string `json:"pprofAddr" env:"RENSHI_PPROF_ADDR" help:"serve Go profiles on this address (e.g. 127.0.0.1:6060); empty: off"`
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Env:           "development",
		Addr:          ":8080",
		DB:            "sqlite:data/renshi.db",
		BaseURL:       "http://localhost:8080",
		MasterKeyFile: "data/master.key",
		LogLevel:      "info",
		LogFormat:     "text",
		Workers:       2,
		FilesDir:      "data/files",
	}
}

// Production reports whether RENSHI_ENV is production.
func (c Config) Production() bool { return c.Env == "production" }

// SecureCookies reports whether the public URL is HTTPS.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Load builds the configuration from a file (RENSHI_CONFIG or the
// -config flag), the environment and the flags already parsed in fs.
// Only flags the user actually set override.
func Load(fs *flag.FlagSet) (Config, error) {
	c := Defaults()
	file := os.Getenv("RENSHI_CONFIG")
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Value.String() != "" {
			file = f.Value.String()
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config: %s: %w", file, err)
		}
	}
	if err := c.applyEnv(); err != nil {
		return c, err
	}
	if fs != nil {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, field := range flagFields {
			if set[name] {
				if err := setField(&c, field, fs.Lookup(name).Value.String()); err != nil {
					return c, fmt.Errorf("config: -%s: %w", name, err)
				}
			}
		}
	}
	return c, c.Validate()
}

// flagFields maps command-line flags to fields.
var flagFields = map[string]string{"addr": "Addr", "db": "DB", "base-url": "BaseURL", "env": "Env"}

// AddFlags declares the flags that override configuration.
func AddFlags(fs *flag.FlagSet) {
	fs.String("config", "", "JSON configuration file")
	fs.String("addr", "", "listen address (RENSHI_ADDR)")
	fs.String("db", "", "database: sqlite:PATH or postgres://... (RENSHI_DB)")
	fs.String("base-url", "", "public URL (RENSHI_BASE_URL)")
	fs.String("env", "", "development or production (RENSHI_ENV)")
}

func (c *Config) applyEnv() error {
	t := reflect.TypeFor[Config]()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if v, ok := os.LookupEnv(f.Tag.Get("env")); ok {
			if err := setField(c, f.Name, v); err != nil {
				return fmt.Errorf("config: %s: %w", f.Tag.Get("env"), err)
			}
		}
	}
	return nil
}

func setField(c *Config, name, v string) error {
	fv := reflect.ValueOf(c).Elem().FieldByName(name)
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(v)
	case reflect.Bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		fv.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		fv.SetInt(int64(n))
	}
	return nil
}

// Validate checks the values make sense.
func (c Config) Validate() error {
	var problems []string
	if c.Env != "development" && c.Env != "production" {
		problems = append(problems, "env must be development or production")
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		problems = append(problems, "db must be sqlite:PATH or postgres://...")
	}
	if c.Workers < 0 || c.Workers > 64 {
		problems = append(problems, "workers must be 0..64")
	}
	if len(problems) > 0 {
		return errors.New("config: " + strings.Join(problems, "; "))
	}
	return nil
}

// Print writes the effective configuration with secrets masked.
func (c Config) Print() string {
	var b strings.Builder
	t := reflect.TypeFor[Config]()
	v := reflect.ValueOf(c)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		val := fmt.Sprint(v.Field(i).Interface())
		if f.Tag.Get("secret") == "true" && val != "" {
			val = "****** (set)"
		}
		if f.Name == "DB" {
			val = maskDSN(val)
		}
		fmt.Fprintf(&b, "%-22s %-28s %s\n", f.Tag.Get("env"), val, f.Tag.Get("help"))
	}
	return b.String()
}

func maskDSN(dsn string) string {
	at := strings.Index(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return dsn[:scheme+3] + user + ":******" + dsn[at:]
	}
	return dsn
}

// DataDir is the directory of the SQLite file (for the dev key file).
func (c Config) DataDir() string {
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok {
		return filepath.Dir(p)
	}
	return "data"
}
