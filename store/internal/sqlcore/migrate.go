package sqlcore

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// LoadMigrations reads the NNNN_name.sql files at the root of fsys. The
// numbers must run 1, 2, 3, … without gaps or repeats.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("store: reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration %q is not named NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		text, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: reading migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(text)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migration %s: expected number %04d", m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate applies the migrations not yet recorded in schema_migrations,
// all in one transaction, and returns how many it applied. A database
// newer than the code (a version recorded that ms does not have) is an
// error: an older rekeyd must not run on a schema it does not know.
func (db *DB) Migrate(ctx context.Context, ms []Migration) (int, error) {
	applied := 0
	err := db.drv.Tx(ctx, func(c Conn) error {
		applied = 0
		if db.dialect.MigrationLock != "" {
			if _, err := c.Exec(ctx, db.dialect.MigrationLock); err != nil {
				return err
			}
		}
		if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TEXT NOT NULL)`); err != nil {
			return err
		}
		var top int64
		if err := c.QueryRow(ctx,
			`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&top); err != nil {
			return err
		}
		if top > int64(len(ms)) {
			return fmt.Errorf("schema version %d is newer than this program's %d", top, len(ms))
		}
		for _, m := range ms[top:] {
			if _, err := c.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := c.Exec(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			applied++
		}
		return nil
	})
	return applied, db.fail("Migrate", "schema_migrations", err)
}
