package httpapi

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
)

// valueError is the client error for a value of type leaf that refused
// itself while decoding (a decimal that is not a number): the decoder does
// not say where it was, badValuePath found it.
func valueError(path string, leaf reflect.Type, err error) error {
	msg, rule := "is not a valid value", "invalid"
	if leaf == reflect.TypeFor[decimal.Decimal]() {
		msg, rule = "must be a decimal number", "decimal"
	}
	e := apperr.Invalid("%s %s (%v)", path, msg, err)
	e.Fields = []apperr.FieldError{apperr.Field(path, "%s", msg).Because(rule)}
	return e
}

// badValuePath finds the first value of the JSON document raw that type t
// refuses, and returns its path in the form validation errors use
// (conditions[0].value) and the type that refused it; ok is false when
// every value decodes on its own (the document as a whole is what is wrong).
func badValuePath(raw []byte, t reflect.Type) (path string, leaf reflect.Type, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if json.Unmarshal(raw, reflect.New(t).Interface()) == nil {
		return "", nil, false
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return "", t, true // the type decodes itself: this value is the bad one
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", t, true
		}
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			f, found := jsonField(t, key)
			if !found {
				continue
			}
			if sub, leaf, bad := badValuePath(obj[key], f.Type); bad {
				return joinPath(key, sub), leaf, true
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "", t, true
		}
		for i, item := range items {
			if sub, leaf, bad := badValuePath(item, t.Elem()); bad {
				return joinPath("["+strconv.Itoa(i)+"]", sub), leaf, true
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", t, true
		}
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			if sub, leaf, bad := badValuePath(obj[key], t.Elem()); bad {
				return joinPath(key, sub), leaf, true
			}
		}
	}
	return "", t, true
}

// jsonField is the field of struct t that encoding/json fills from key
// (exact tag or name first, then case-insensitively, promoted fields too).
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold *reflect.StructField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct) {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold = &f
		}
	}
	if fold != nil {
		return *fold, true
	}
	return reflect.StructField{}, false
}

// joinPath appends sub (a field name, an [index] or nothing) to path.
func joinPath(path, sub string) string {
	switch {
	case sub == "":
		return path
	case strings.HasPrefix(sub, "["):
		return path + sub
	}
	return path + "." + sub
}
