package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"rekey/internal/cli"
	"rekey/internal/i18n"
)

// envConfig names the subscriber's settings file; unset, it is
// $XDG_CONFIG_HOME/rekey/config.json, else ~/.config/rekey/config.json.
const envConfig = "REKEY_CONFIG"

// maxConfigSize bounds the settings file: it is a few paths.
const maxConfigSize = 64 << 10

// userConfig is the subscriber's optional settings file, for what would
// otherwise be repeated on every command line:
//
//	{"pkcs11": ["/usr/lib/librtpkcs11ecp.so"], "media": ["/srv/keys"]}
//
// pkcs11 are token modules (as --pkcs11), media are media roots (as
// --media). Strict JSON: an unknown field or data after the object is an
// error, so a misspelt setting is never silently ignored.
type userConfig struct {
	PKCS11 []string `json:"pkcs11"`
	Media  []string `json:"media"`
}

// configPath returns the settings file's path and whether the user named
// it (REKEY_CONFIG), in which case it must exist.
func configPath(getenv func(string) string) (string, bool) {
	if p := getenv(envConfig); p != "" {
		return p, true
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "rekey", "config.json"), false
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "rekey", "config.json"), false
	}
	return "", false
}

// parseConfig reads a settings file's content strictly.
func parseConfig(data []byte) (*userConfig, error) {
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("larger than %d bytes", maxConfigSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c userConfig
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON object")
	}
	for _, list := range [][]string{c.PKCS11, c.Media} {
		for _, p := range list {
			if p == "" {
				return nil, errors.New("an empty path")
			}
		}
	}
	return &c, nil
}

// loadConfig reads the settings file; a file the user did not name and
// that does not exist is no settings.
func loadConfig(lang i18n.Lang, getenv func(string) string) (*userConfig, error) {
	path, named := configPath(getenv)
	if path == "" {
		return &userConfig{}, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return &userConfig{}, nil
	}
	if err == nil {
		var c *userConfig
		if c, err = parseConfig(data); err == nil {
			return c, nil
		}
	}
	return nil, cli.Failure(i18n.T(lang, i18n.ErrConfigFile, path, err.Error()),
		i18n.T(lang, i18n.HintConfigFile)).WithCause(err)
}
