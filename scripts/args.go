package scripts

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// Bindings take their JS arguments as goja.Value and convert them here, so that a missing or
// wrong argument becomes a sentence ("the selector is missing") instead of goja's silent zero
// value (an undefined password would otherwise be typed as "").

func missing(v goja.Value) bool { return v == nil || goja.IsUndefined(v) || goja.IsNull(v) }

// argString requires a string (a number is accepted and written as JS would).
func argString(v goja.Value, what string) (string, error) {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "", fmt.Errorf("%s is missing (undefined)", what)
	case goja.IsNull(v):
		return "", fmt.Errorf("%s is null", what)
	}
	if _, ok := v.(*goja.Object); ok {
		return "", fmt.Errorf("%s must be a string, not an object", what)
	}
	switch v.ExportType().Kind() {
	case reflect.String, reflect.Int64, reflect.Float64, reflect.Int:
		return v.String(), nil
	}
	return "", fmt.Errorf("%s must be a string, not %s", what, v.String())
}

// argSelector is argString for selectors, which must not be empty either.
func argSelector(v goja.Value) (string, error) {
	sel, err := argString(v, "the selector")
	if err == nil && strings.TrimSpace(sel) == "" {
		err = errors.New("the selector is empty")
	}
	return sel, err
}

// argMillis reads a non-negative number of milliseconds.
func argMillis(v goja.Value, what string) (time.Duration, error) {
	if missing(v) {
		return 0, fmt.Errorf("%s is missing", what)
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f < 0 {
		return 0, fmt.Errorf("%s must be a number of milliseconds ≥ 0, not %s", what, v.String())
	}
	if f > float64(math.MaxInt64/int64(time.Millisecond)) {
		return time.Duration(math.MaxInt64), nil
	}
	return time.Duration(f * float64(time.Millisecond)), nil
}

// decodeOptions fills the struct dst points to from a JS object. Property names come from the
// one mapper (jsName); unknown properties are an error that lists the known ones, so a typo
// ({stat: "hidden"}) does not pass silently. undefined and null leave dst as it is.
//
// Field kinds: string (a number is written as JS would; a Date becomes RFC 3339), float64,
// bool, map[string]string, goja.Value (passed through).
func (s *session) decodeOptions(v goja.Value, dst any, what string) error {
	if missing(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok || s.rt.InstanceOf(obj, s.dateCtor) || obj.ClassName() == "Array" || obj.ClassName() == "Function" {
		return fmt.Errorf("%s must be an object like {…}, not %s", what, v.String())
	}
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	fields := map[string]int{}
	var names []string
	for i := 0; i < rt.NumField(); i++ {
		if name := (fieldMapper{}).FieldName(rt, rt.Field(i)); name != "" {
			fields[name] = i
			names = append(names, name)
		}
	}
	for _, k := range obj.Keys() {
		if _, ok := fields[k]; !ok {
			sort.Strings(names)
			return fmt.Errorf("%s has no field %q (known: %s)", what, k, strings.Join(names, ", "))
		}
	}
	for name, i := range fields {
		pv := obj.Get(name)
		if missing(pv) {
			continue
		}
		f := rv.Field(i)
		switch f.Kind() {
		case reflect.String:
			str, err := s.toMetaString(pv)
			if err != nil {
				return fmt.Errorf("%s.%s %v", what, name, err)
			}
			f.SetString(str)
		case reflect.Float64:
			n := pv.ToFloat()
			if math.IsNaN(n) {
				return fmt.Errorf("%s.%s must be a number, not %s", what, name, pv.String())
			}
			f.SetFloat(n)
		case reflect.Bool:
			f.SetBool(pv.ToBoolean())
		case reflect.Map:
			m, ok := pv.(*goja.Object)
			if !ok {
				return fmt.Errorf("%s.%s must be an object", what, name)
			}
			out := map[string]string{}
			for _, k := range m.Keys() {
				out[k] = m.Get(k).String()
			}
			f.Set(reflect.ValueOf(out))
		case reflect.Interface: // goja.Value
			f.Set(reflect.ValueOf(pv))
		default:
			return fmt.Errorf("internal: option field %s has unsupported kind %s", name, f.Kind())
		}
	}
	return nil
}

// toMetaString writes a JS value into a string option: strings as they are, numbers as JS
// prints them, Dates as RFC 3339 (in the Date's own zone, so the calendar day is kept).
func (s *session) toMetaString(v goja.Value) (string, error) {
	if obj, ok := v.(*goja.Object); ok {
		if s.rt.InstanceOf(obj, s.dateCtor) {
			t, ok := obj.Export().(time.Time)
			if !ok || t.IsZero() {
				return "", errors.New("is an invalid Date")
			}
			return t.Format(time.RFC3339), nil
		}
		return "", fmt.Errorf("must be a string, not an object")
	}
	switch v.ExportType().Kind() {
	case reflect.String, reflect.Int64, reflect.Float64, reflect.Int, reflect.Bool:
		return v.String(), nil
	}
	return "", fmt.Errorf("must be a string, not %s", v.String())
}

// element returns the *elementAPI behind v, if v is an Element.
func element(v goja.Value) (*elementAPI, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	el, ok := obj.Export().(*elementAPI)
	return el, ok && el != nil
}

// remarshal copies a JSON-like Go value (from Playwright) into dst through JSON.
func remarshal(v any, dst any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
