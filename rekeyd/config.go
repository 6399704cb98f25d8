package rekeyd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"rekey/operator"
	"rekey/store"
)

// Names of the files in the operator's directory.
const (
	ConfigFile = "rekeyd.json"
	CACertFile = "ca.pem"
	CAKeyFile  = "ca-key.pem"
	DBFile     = "rekeyd.db"
)

// Config is the operator's config file, DIR/rekeyd.json.
type Config struct {
	// Operator is the issuance and renewal policy (package operator).
	Operator operator.Config `json:"operator"`
	// Database is the store's DSN: "sqlite:PATH" (a relative path is
	// inside the directory) or "postgres://…".
	Database string `json:"database"`
	// CAKey is the CA key: a file name in the directory (an encrypted
	// PKCS#8 PEM) or a pkcs11: URI.
	CAKey string `json:"ca_key"`
	// URL is the CMP address subscribers use, written into their media
	// by enroll --media.
	URL string `json:"url"`
	// Listen is the default address of serve.
	Listen string `json:"listen"`
}

// ParseConfig reads a config file: strict JSON, an unknown field or
// trailing data is an error naming it; the operator section gets its
// defaults and every field is validated.
func ParseConfig(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("rekeyd: config: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("rekeyd: config: data after the JSON object")
	}
	c.Operator.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate reports the first problem of c, naming the field; it changes
// nothing.
func (c *Config) Validate() error {
	if err := c.Operator.Validate(); err != nil {
		return fmt.Errorf("rekeyd: config: %w", err)
	}
	if c.Database == "" {
		return errors.New("rekeyd: config: database is empty")
	}
	if c.CAKey == "" {
		return errors.New("rekeyd: config: ca_key is empty")
	}
	if strings.HasPrefix(c.CAKey, "pkcs11:") {
		if _, err := ParsePKCS11URI(c.CAKey); err != nil {
			return fmt.Errorf("rekeyd: config: ca_key: %w", err)
		}
	} else if filepath.Base(c.CAKey) != c.CAKey {
		return fmt.Errorf("rekeyd: config: ca_key %q must be a file name in the directory",
			c.CAKey)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("rekeyd: config: url %q is not an http(s) URL", c.URL)
	}
	if c.Listen == "" {
		return errors.New("rekeyd: config: listen is empty")
	}
	return nil
}

// ErrNotInitialized is returned by Open for a directory without a config.
var ErrNotInitialized = errors.New("rekeyd: not an operator directory (run rekeyd init)")

// LoadConfig reads DIR/rekeyd.json.
func LoadConfig(dir string) (*Config, error) {
	data, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s", ErrNotInitialized, dir, ConfigFile)
	}
	if err != nil {
		return nil, fmt.Errorf("rekeyd: reading config: %w", err)
	}
	return ParseConfig(data)
}

// dsn returns the store DSN with a relative SQLite path resolved in dir.
func (c *Config) dsn(dir string) string {
	if c.Postgres() {
		return c.Database
	}
	path := strings.TrimPrefix(c.Database, "sqlite:")
	opts := ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, opts = path[:i], path[i:]
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return "sqlite:" + path + opts
}

// Postgres reports whether the config names a PostgreSQL database.
func (c *Config) Postgres() bool {
	return store.Scheme(c.Database) == "postgres"
}
