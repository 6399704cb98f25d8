package sqlcore

import (
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("CREATE TABLE t (x INTEGER);")}
	good := fstest.MapFS{"0002_more.sql": file, "0001_init.sql": file}
	ms, err := LoadMigrations(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[1].Name != "0002_more.sql" {
		t.Errorf("LoadMigrations = %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"0001_init.sql": file, "0003_more.sql": file},
		"repeat":    {"0001_init.sql": file, "0001_again.sql": file},
		"not first": {"0002_more.sql": file},
		"bad name":  {"0001_init.sql": file, "2_more.sql": file},
		"other ext": {"0001_init.sql": file, "0002_more.txt": file},
	} {
		if _, err := LoadMigrations(fsys); err == nil {
			t.Errorf("%s: LoadMigrations succeeded", name)
		}
	}
}

func TestWhere(t *testing.T) {
	var w where
	w.add("a = $%d", 1)
	in := w.next("x")
	w.add("b < $%d", 2)
	if got, want := w.sql()+" "+in, " WHERE a = $1 AND b < $3 $2"; got != want {
		t.Errorf("where = %q, want %q", got, want)
	}
	if len(w.args) != 3 {
		t.Errorf("%d arguments, want 3", len(w.args))
	}
	var empty where
	if empty.sql() != "" {
		t.Errorf("empty where = %q", empty.sql())
	}
}
