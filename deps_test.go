package strata

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/stratadb/strata"

// allowedImports is ARCHITECTURE.md's layout table: the project packages
// each top-level folder may import (besides its own sub-packages).
var allowedImports = map[string][]string{
	"proto":   {},
	"storage": {},
	"query":   {"storage"},
	"raftlog": {},
	"ingest":  {"storage", "raftlog", "proto"},
	"server":  {"proto", "storage", "query", "raftlog", "ingest"},
	"client":  {"proto"},
	"bench":   {"client", "proto", "storage", "query", "server"},
	"cmd":     {"proto", "storage", "query", "raftlog", "ingest", "server", "client", "bench"},
}

// TestDependencyRules fails when a non-test file imports a project package
// its folder may not depend on, so the layout holds as the code grows.
func TestDependencyRules(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		top := strings.Split(filepath.ToSlash(path), "/")[0]
		allowed, known := allowedImports[top]
		if !known {
			if strings.Contains(path, "/") {
				t.Errorf("%s: top-level folder %q is not in ARCHITECTURE.md's layout", path, top)
			}
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module+"/") {
				continue
			}
			target := strings.Split(strings.TrimPrefix(p, module+"/"), "/")[0]
			if target != top && !contains(allowed, target) {
				t.Errorf("%s imports %s: %s may import only %v", path, p, top, allowed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
