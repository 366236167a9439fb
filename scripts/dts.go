package scripts

import (
	_ "embed"
	"fmt"
	"reflect"
	"strings"
)

// api.d.ts is generated from names.go; TestTypeScriptDeclarations fails when it is stale and
// rewrites it with -update:
//
//go:generate go test -run TestTypeScriptDeclarations -update .

//go:embed api.d.ts
var committedDeclarations string

// TypeScriptDeclarations returns the TypeScript declarations of everything a portal script sees
// (the content of scripts/api.d.ts), for the web editor's autocompletion. It is generated from
// the same name table and mapper the bindings use, so it cannot drift from them.
func TypeScriptDeclarations() string {
	var b strings.Builder
	b.WriteString("// Code generated from billhound/scripts/names.go; DO NOT EDIT.\n")
	b.WriteString("// The globals a billhound portal script sees: portal script API version 1 (SCRIPT_API.md)\n")
	b.WriteString("// plus the additions marked as such. Every call is synchronous and throws an Error whose\n")
	b.WriteString("// message names the call, the selector and the page URL.\n")
	b.WriteString("// Load this without the DOM lib (e.g. lib: [\"es2020\"]): it declares its own Element and console.\n")

	for _, in := range api[1:] {
		b.WriteString("\n")
		doc(&b, "", in.Doc)
		fmt.Fprintf(&b, "interface %s {\n", in.Name)
		for _, m := range in.Members {
			doc(&b, "  ", m.Doc)
			if m.Value {
				fmt.Fprintf(&b, "  readonly %s%s;\n", jsName(m.Go), m.TS)
			} else {
				fmt.Fprintf(&b, "  %s%s;\n", jsName(m.Go), m.TS)
			}
		}
		b.WriteString("}\n")
	}

	for _, d := range dataTypes {
		b.WriteString("\n")
		doc(&b, "", d.Doc)
		fmt.Fprintf(&b, "interface %s {\n", d.Name)
		for i := 0; i < d.Go.NumField(); i++ {
			f := d.Go.Field(i)
			name := (fieldMapper{}).FieldName(d.Go, f)
			if !f.IsExported() || name == "" {
				continue
			}
			ts := d.TS[f.Name]
			if ts == "" {
				ts = tsType(f.Type)
			}
			opt := ""
			if d.Input {
				opt = "?"
			}
			doc(&b, "  ", d.Docs[f.Name])
			fmt.Fprintf(&b, "  %s%s: %s;\n", name, opt, ts)
		}
		b.WriteString("}\n")
	}

	b.WriteString("\n")
	for _, m := range api[0].Members {
		doc(&b, "", m.Doc)
		if m.Value {
			fmt.Fprintf(&b, "declare const %s%s;\n", jsName(m.Go), m.TS)
		} else {
			fmt.Fprintf(&b, "declare function %s%s;\n", jsName(m.Go), m.TS)
		}
	}
	return b.String()
}

func doc(b *strings.Builder, indent, text string) {
	if text != "" {
		fmt.Fprintf(b, "%s/** %s */\n", indent, text)
	}
}

// tsType is the TypeScript type of a Go field type.
func tsType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "number"
	case reflect.Map:
		return "Record<string, " + tsType(t.Elem()) + ">"
	case reflect.Slice:
		return tsType(t.Elem()) + "[]"
	}
	return "any"
}
