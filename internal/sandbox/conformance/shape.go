package conformance

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A Shape says what a JSON value must look like for the SDK's response
// model to read it: the type of every field the model declares and covers
// here. Values are decoded with json.Decoder.UseNumber.
type Shape interface {
	check(path string, v any) error
}

// Obj is an object whose listed keys must all be present (a key whose value
// the platform may leave null is wrapped in Opt). Other keys are allowed.
type Obj map[string]Shape

// Arr is an array of Elem; MinLen is the least number of items expected.
type Arr struct {
	Elem   Shape
	MinLen int
}

// Map is an object with any keys, every value of Elem (the v3 custom
// report's dimensions and metrics).
type Map struct{ Elem Shape }

type kind uint8

// Scalar shapes.
const (
	Int    kind = iota // a JSON integer (SDK: int64)
	Num                // a JSON number (SDK: float64)
	Str                // a JSON string
	Bool               // true or false
	StrNum             // a string holding a decimal number (v3 custom report values)
	Any                // anything, null included
)

type enum []string

// Enum is a string from a closed set (the SDK's enum type).
func Enum(values ...string) Shape { return enum(values) }

type opt struct{ Shape }

// Opt allows null (the platform sends null where a field does not apply).
func Opt(s Shape) Shape { return opt{s} }

func (s opt) check(path string, v any) error {
	if v == nil {
		return nil
	}
	return s.Shape.check(path, v)
}

func (k kind) check(path string, v any) error {
	if k == Any {
		return nil
	}
	ok := false
	switch x := v.(type) {
	case json.Number:
		switch k {
		case Int:
			_, err := x.Int64()
			ok = err == nil
		case Num:
			ok = true
		}
	case string:
		switch k {
		case Str:
			ok = true
		case StrNum:
			_, err := json.Number(x).Float64()
			ok = err == nil && x != ""
		}
	case bool:
		ok = k == Bool
	}
	if !ok {
		return fmt.Errorf("%s: %s is not %s", path, brief(v), [...]string{"an integer", "a number", "a string", "a boolean", "a numeric string"}[k])
	}
	return nil
}

func (e enum) check(path string, v any) error {
	s, ok := v.(string)
	if !ok || !slices.Contains(e, s) {
		return fmt.Errorf("%s: %s is not one of %s", path, brief(v), strings.Join(e, ", "))
	}
	return nil
}

func (o Obj) check(path string, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %s is not an object", path, brief(v))
	}
	for _, k := range Keys(o) {
		x, present := m[k]
		if !present {
			return fmt.Errorf("%s.%s: missing", path, k)
		}
		if x == nil {
			if _, nullable := o[k].(opt); !nullable && o[k] != Any {
				return fmt.Errorf("%s.%s: null", path, k)
			}
			continue
		}
		if err := o[k].check(path+"."+k, x); err != nil {
			return err
		}
	}
	return nil
}

func (a Arr) check(path string, v any) error {
	xs, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s: %s is not an array", path, brief(v))
	}
	if len(xs) < a.MinLen {
		return fmt.Errorf("%s: %d items, want at least %d", path, len(xs), a.MinLen)
	}
	for i, x := range xs {
		if err := a.Elem.check(fmt.Sprintf("%s[%d]", path, i), x); err != nil {
			return err
		}
	}
	return nil
}

func (m Map) check(path string, v any) error {
	o, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %s is not an object", path, brief(v))
	}
	for k, x := range o {
		if err := m.Elem.check(path+"."+k, x); err != nil {
			return err
		}
	}
	return nil
}

func brief(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		b = append(b[:60], "..."...)
	}
	return string(b)
}

// Check decodes raw and checks it against s.
func Check(s Shape, raw []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return s.check("data", v)
}

// Keys returns the keys an Obj lists, sorted (for the endpoint table in the
// documentation).
func Keys(o Obj) []string {
	return slices.Sorted(maps.Keys(o))
}
