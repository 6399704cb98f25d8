package media

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// EnvMedia names the environment variable with extra media roots,
// separated by colons.
const EnvMedia = "REKEY_MEDIA"

// MountPatterns are the glob patterns of the usual mount points of
// removable drives on Linux (udisks, older desktops, manual mounts).
var MountPatterns = []string{"/media/*/*", "/run/media/*/*", "/mnt/*"}

// EnvMounts names the environment variable that replaces MountPatterns:
// colon-separated glob patterns, or "none" to search no mount point (for
// scripts and tests that name every media root themselves). Unset or
// empty, the usual MountPatterns apply.
const EnvMounts = "REKEY_MOUNTS"

// Mounts returns the mount patterns that the value of REKEY_MOUNTS
// selects (see EnvMounts).
func Mounts(env string) []string {
	switch strings.TrimSpace(env) {
	case "":
		return MountPatterns
	case "none":
		return nil
	}
	var patterns []string
	for _, p := range strings.Split(env, ":") {
		if p = strings.TrimSpace(p); p != "" {
			patterns = append(patterns, p)
		}
	}
	return patterns
}

// Finder finds file containers. Its zero value scans nothing; use
// NewFinder for the usual roots.
type Finder struct {
	// Patterns are glob patterns of media roots that may or may not be
	// there (mount points); a missing one is skipped silently.
	Patterns []string
	// Dirs are media roots named by the user (--media DIR, REKEY_MEDIA);
	// a missing one is reported with ErrMediaMissing.
	Dirs []string
}

// NewFinder returns a Finder for the usual mount points, the roots in
// env (the value of REKEY_MEDIA, colon-separated) and dirs.
func NewFinder(env string, dirs ...string) *Finder {
	f := &Finder{Patterns: MountPatterns}
	for _, d := range strings.Split(env, ":") {
		if d != "" {
			f.Dirs = append(f.Dirs, d)
		}
	}
	f.Dirs = append(f.Dirs, dirs...)
	return f
}

// Roots returns the media roots that exist now: the matches of Patterns
// that are directories, then Dirs, each once.
func (f *Finder) Roots() []string {
	var roots []string
	seen := map[string]bool{}
	add := func(d string) {
		d = filepath.Clean(d)
		if !seen[d] {
			seen[d] = true
			roots = append(roots, d)
		}
	}
	for _, p := range f.Patterns {
		matches, _ := filepath.Glob(p) // only ErrBadPattern, from a constant
		sort.Strings(matches)
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.IsDir() {
				add(m)
			}
		}
	}
	for _, d := range f.Dirs {
		add(d)
	}
	return roots
}

// Find loads every container on every root. A root is a directory that
// holds containers (subdirectories named ID.rekey) or is itself one (its
// name ends in .rekey).
// Entries whose names start with a dot (the temporary directories of an
// interrupted write) are ignored. Containers that cannot be loaded, and
// named roots that are missing, are reported in the errors (each a
// *ContainerError or wrapping ErrMediaMissing) without hiding the
// others. Containers come sorted by root and id.
func (f *Finder) Find() ([]*Container, []error) {
	var found []*Container
	var errs []error
	named := map[string]bool{}
	for _, d := range f.Dirs {
		named[filepath.Clean(d)] = true
	}
	for _, root := range f.Roots() {
		cs, err := scanRoot(root)
		if err != nil && (named[root] || !errors.Is(err, ErrMediaMissing)) {
			errs = append(errs, err)
		}
		for _, c := range cs {
			if c.err != nil {
				errs = append(errs, c.err)
			} else {
				found = append(found, c.c)
			}
		}
	}
	return found, errs
}

// Keys is Find returning the keys' listing entries.
func (f *Finder) Keys() ([]Key, []error) {
	cs, errs := f.Find()
	keys := make([]Key, len(cs))
	for i, c := range cs {
		keys[i] = c.Key()
	}
	return keys, errs
}

type loaded struct {
	c   *Container
	err error
}

func scanRoot(root string) ([]loaded, error) {
	if strings.HasSuffix(root, ContainerSuffix) {
		c, err := Load(root)
		return []loaded{{c, err}}, nil
	}
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrMediaMissing, root)
	}
	if err != nil {
		return nil, fmt.Errorf("media: reading %s: %w", root, err)
	}
	var out []loaded
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ContainerSuffix) {
			continue
		}
		c, err := Load(filepath.Join(root, name))
		out = append(out, loaded{c, err})
	}
	return out, nil
}

// Open finds the container of key id (or a unique prefix of it, see Find)
// on the roots of f. When the key is on several media (a backup beside the
// original) the first in the order of Roots is returned.
func (f *Finder) Open(id string) (*Container, error) {
	cs, _ := f.Find()
	keys := make([]Key, len(cs))
	for i, c := range cs {
		keys[i] = c.Key()
	}
	match, err := Find(keys, id)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Dir == match[0].Location {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
}
