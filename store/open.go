package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Opener opens a database of one engine from a DSN.
type Opener func(ctx context.Context, dsn string) (Store, error)

var (
	enginesMu sync.RWMutex
	engines   = map[string]Opener{}
)

// Register makes an engine available to [Open] under a DSN scheme. The
// engine packages call it from init; importing rekey/store/sqlite and
// rekey/store/postgres (for their side effect) is what enables them.
func Register(scheme string, open Opener) {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if _, dup := engines[scheme]; dup {
		panic("store: engine " + scheme + " registered twice")
	}
	engines[scheme] = open
}

// Open opens the database named by dsn and brings its schema up to date:
//
//	sqlite:PATH or PATH              SQLite file (created when missing)
//	postgres://… or postgresql://…   PostgreSQL
func Open(ctx context.Context, dsn string) (Store, error) {
	scheme := Scheme(dsn)
	enginesMu.RLock()
	open := engines[scheme]
	enginesMu.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("store: no %s engine linked in (import rekey/store/%s); have %s",
			scheme, scheme, registered())
	}
	return open(ctx, dsn)
}

// Scheme returns the engine a DSN names: "postgres" or "sqlite".
func Scheme(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

func registered() string {
	enginesMu.RLock()
	defer enginesMu.RUnlock()
	var names []string
	for n := range engines {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
