package media

import "fmt"

// Finish completes the renewal steps that an interrupted process left
// half done among containers (usually all those Finder.Find returns):
//
//   - a pending container whose certificate was written but whose
//     manifest was not flipped gets its InstallCertificate re-run;
//   - an active key whose Replaces names a key that is still active
//     archives that key, with the new one as its successor.
//
// It returns what it did, one line per step, for the person or the log.
// Each step is itself atomic and idempotent, so Finish may run at any time
// (each `rekey sync` runs it first).
func Finish(cs []*Container) ([]string, []error) {
	var done []string
	var errs []error
	for _, c := range cs {
		if c.Manifest.State == StatePending && c.staged != nil {
			if err := c.InstallCertificate(c.staged.Raw); err != nil {
				errs = append(errs, err)
				continue
			}
			done = append(done, fmt.Sprintf("installed the certificate of key %s in %s",
				c.Manifest.ID, c.Dir))
		}
	}
	for _, c := range cs {
		if c.Manifest.State != StateActive || c.Manifest.Replaces == "" {
			continue
		}
		for _, old := range cs {
			if old.Manifest.ID != c.Manifest.Replaces || old.Manifest.State != StateActive {
				continue
			}
			if err := old.Archive(c.Manifest.ID); err != nil {
				errs = append(errs, err)
				continue
			}
			done = append(done, fmt.Sprintf("archived key %s in %s, replaced by %s",
				old.Manifest.ID, old.Dir, c.Manifest.ID))
		}
	}
	return done, errs
}
