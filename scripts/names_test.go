package scripts

import (
	"flag"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestJSName(t *testing.T) {
	for goName, want := range map[string]string{
		"Goto": "goto", "SavePage": "savePage", "WaitForURL": "waitForURL", "URL": "url", "TOTP": "totp",
		"JSON": "json", "OK": "ok", "URLFor": "urlFor", "ID": "id", "lower": "lower",
	} {
		if got := jsName(goName); got != want {
			t.Errorf("jsName(%q) = %q, want %q", goName, got, want)
		}
	}
}

// TestNameTable checks names.go against the Go types (as k6's mapping test does): every exported
// method (and field, for data members) of a binding type is declared exactly once, every declared
// member exists, and JS names do not collide.
func TestNameTable(t *testing.T) {
	for _, in := range api {
		declared := map[string]int{}
		js := map[string]bool{}
		for _, m := range in.Members {
			declared[m.Go]++
			if js[jsName(m.Go)] {
				t.Errorf("%s: JS name %s used twice", in.Name, jsName(m.Go))
			}
			js[jsName(m.Go)] = true
			if declared[m.Go] > 1 {
				t.Errorf("%s.%s is declared twice", in.Name, m.Go)
			}
		}
		have := map[string]bool{}
		for i := 0; i < in.Go.NumMethod(); i++ {
			have[in.Go.Method(i).Name] = true
		}
		if st := in.Go.Elem(); st.Kind() == reflect.Struct {
			for i := 0; i < st.NumField(); i++ {
				if f := st.Field(i); f.IsExported() {
					have[f.Name] = true
				}
			}
		}
		for name := range have {
			if declared[name] == 0 {
				t.Errorf("%s has %s in Go but names.go does not declare it", in.Go, name)
			}
		}
		for _, m := range in.Members {
			if !have[m.Go] && !(in.Name == "" && m.Value) { // global values are built in install
				t.Errorf("names.go declares %s.%s but %s has no such method or field", in.Name, m.Go, in.Go)
			}
		}
	}
}

// TestBindingCount pins how many names each interface has (as PocketBase's binds test does):
// adding a binding means updating this count, the tests and api.d.ts together.
func TestBindingCount(t *testing.T) {
	want := map[string]int{"": 18, "Page": 19, "Element": 6, "FetchResponse": 6, "Console": 4, "Auto": 1, "Session": 2, "Fail": 9, "Mail": 1, "SMS": 1}
	for _, in := range api {
		if got := len(in.Members); got != want[in.Name] {
			t.Errorf("%q has %d members, want %d: update this test, write tests for the new names and regenerate api.d.ts", in.Name, got, want[in.Name])
		}
	}
}

// TestBindingsExercised checks that every name is used by some test script in this package, so
// no binding ships untested.
func TestBindingsExercised(t *testing.T) {
	files, _ := os.ReadDir(".")
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f.Name(), "_test.go") && f.Name() != "names_test.go" {
			b, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			src.Write(b)
		}
	}
	all := src.String()
	for _, in := range api {
		for _, m := range in.Members {
			name := jsName(m.Go)
			var re *regexp.Regexp
			switch {
			case in.Name == "" && m.Value:
				re = regexp.MustCompile(`\b` + name + `\b[.\s=!)\[]`)
			case in.Name == "":
				re = regexp.MustCompile(`(^|[^.\w])` + name + `\(`)
			case m.Value:
				re = regexp.MustCompile(`\.` + name + `\b`)
			default:
				re = regexp.MustCompile(`\.` + name + `\(`)
			}
			if !re.MatchString(all) {
				t.Errorf("no test script uses %s.%s", in.Name, name)
			}
		}
	}
}

// TestGlobalsDeclared runs a script that checks every global of the table exists with the
// declared kind, and that the runtime exposes nothing else of the host.
func TestGlobalsDeclared(t *testing.T) {
	var checks []string
	for _, m := range api[0].Members {
		kind := "function"
		if m.Value {
			kind = "object"
		}
		if m.Go == "Since" {
			continue // null without a previous run
		}
		checks = append(checks, `eq(typeof `+jsName(m.Go)+`, "`+kind+`", "`+jsName(m.Go)+`");`)
	}
	mustRun(t, asserts+strings.Join(checks, "\n")+`
eq(Object.keys(page).sort(), ["all","attr","check","click","content","evaluate","exists","fetch","fill","frame","goto","press","screenshot","select","text","type","url","waitFor","waitForURL"], "page members");
eq(Object.keys(auto), ["login"], "auto members");
eq(Object.keys(console).sort(), ["error","info","log","warn"], "console members");
`, runOpts{})
}

var update = flag.Bool("update", false, "rewrite api.d.ts from names.go")

func TestTypeScriptDeclarations(t *testing.T) {
	got := TypeScriptDeclarations()
	if *update {
		if err := os.WriteFile("api.d.ts", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != committedDeclarations {
		t.Fatal("scripts/api.d.ts is stale: run `go generate ./scripts` (go test ./scripts -run TestTypeScriptDeclarations -update)")
	}
	for _, in := range api {
		for _, m := range in.Members {
			if !strings.Contains(got, jsName(m.Go)) {
				t.Errorf("api.d.ts does not declare %s", jsName(m.Go))
			}
		}
	}
}
