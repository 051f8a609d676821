package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Request parameters are declared once, as a struct per endpoint whose
// fields carry an `oe` tag; the dispatcher decodes and validates them before
// the handler runs, so every endpoint answers malformed input the same way:
//
//	`oe:"name[,required][,min=N][,max=N][,def=N][,maxn=N][,enum=A|B][,filter][,date]"`
//
// Field types: int64 (an id: a JSON number or a quoted number), int (a small
// integer; min/max bound it, def is its default), string (enum restricts
// it; date requires YYYY-MM-DD), *string (set when present), bool, money (yuan, exact), *money, formFile (a
// multipart upload's file), []int64
// (ids; maxn bounds the count), []string, a nested struct (a JSON object
// decoded by the same rules; with filter an unknown key answers 40003, as
// the platform does for `filtering`), and any other type decoded as JSON.
// required on a list or object means present and not empty.

type fieldKind uint8

const (
	kID fieldKind = iota
	kInt
	kString
	kStringPtr
	kBool
	kMoney
	kMoneyPtr
	kIDs
	kStrings
	kObject
	kJSON
	kFile
)

// fieldPlan is one parameter of a request struct.
type fieldPlan struct {
	name     string
	index    []int
	kind     fieldKind
	required bool
	min, max int64 // kInt range
	ranged   bool
	def      int64
	hasDef   bool
	maxN     int // kIDs, kStrings, kJSON slices: most items allowed (0 = any)
	enum     []string
	date     bool
	filter   bool
	sub      *paramPlan
}

// paramPlan is the decoding plan of one request struct type.
type paramPlan struct {
	fields []fieldPlan
	names  []string // wire names, for unknown-key checks
}

var (
	fileType      = reflect.TypeFor[formFile]()
	moneyType     = reflect.TypeFor[money]()
	moneyPtrType  = reflect.TypeFor[*money]()
	stringPtrType = reflect.TypeFor[*string]()
)

// planOf builds the plan of struct type t. It panics on a malformed tag:
// plans are built when the endpoint table is, so a mistake fails at once.
func planOf(t reflect.Type) *paramPlan {
	p := &paramPlan{}
	p.add(t, nil)
	return p
}

// add appends the tagged fields of t; untagged embedded structs (shared
// groups such as paging) contribute their fields in place.
func (p *paramPlan) add(t reflect.Type, index []int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		at := append(slices.Clip(index), i)
		tag, ok := f.Tag.Lookup("oe")
		if !ok {
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				p.add(f.Type, at)
			}
			continue
		}
		fp := parseTag(t, f, tag)
		fp.index = at
		fp.kind, fp.sub = kindOf(f.Type)
		if fp.filter && fp.kind == kJSON && f.Type.Kind() == reflect.Struct {
			fp.kind, fp.sub = kObject, &paramPlan{} // a filtering object without fields still refuses unknown ones
		}
		p.fields = append(p.fields, fp)
		p.names = append(p.names, fp.name)
	}
}

func parseTag(t reflect.Type, f reflect.StructField, tag string) fieldPlan {
	parts := strings.Split(tag, ",")
	fp := fieldPlan{name: parts[0]}
	num := func(s string) int64 {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			panic(fmt.Sprintf("oesim: %s.%s: bad number in tag %q", t.Name(), f.Name, tag))
		}
		return v
	}
	for _, opt := range parts[1:] {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "required":
			fp.required = true
		case "min":
			fp.min, fp.ranged = num(v), true
		case "max":
			fp.max, fp.ranged = num(v), true
		case "def":
			fp.def, fp.hasDef = num(v), true
		case "maxn":
			fp.maxN = int(num(v))
		case "enum":
			fp.enum = strings.Split(v, "|")
		case "date":
			fp.date = true
		case "filter":
			fp.filter = true
		default:
			panic(fmt.Sprintf("oesim: %s.%s: unknown tag option %q", t.Name(), f.Name, k))
		}
	}
	return fp
}

func kindOf(t reflect.Type) (fieldKind, *paramPlan) {
	switch t {
	case fileType:
		return kFile, nil
	case moneyType:
		return kMoney, nil
	case moneyPtrType:
		return kMoneyPtr, nil
	case stringPtrType:
		return kStringPtr, nil
	}
	switch t.Kind() {
	case reflect.Int64:
		return kID, nil
	case reflect.Int:
		return kInt, nil
	case reflect.String:
		return kString, nil
	case reflect.Bool:
		return kBool, nil
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.Int64:
			return kIDs, nil
		case reflect.String:
			return kStrings, nil
		}
	case reflect.Struct:
		if hasOETags(t) {
			return kObject, planOf(t)
		}
	}
	return kJSON, nil
}

func hasOETags(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("oe"); ok || (f.Anonymous && f.Type.Kind() == reflect.Struct && hasOETags(f.Type)) {
			return true
		}
	}
	return false
}

// paramSource gives a parameter's JSON text by name: the request's
// parameters, or the members of a nested object.
type paramSource interface {
	raw(name string) (json.RawMessage, bool)
}

// objectSource is a decoded JSON object.
type objectSource map[string]json.RawMessage

func (o objectSource) raw(name string) (json.RawMessage, bool) {
	v, ok := o[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// decode fills the struct v from src; prefix names the enclosing object in
// messages ("filtering.").
func (p *paramPlan) decode(src paramSource, prefix string, v reflect.Value) *apiError {
	for i := range p.fields {
		fp := &p.fields[i]
		if err := fp.decode(src, prefix, v.FieldByIndex(fp.index)); err != nil {
			return err
		}
	}
	return nil
}

func (fp *fieldPlan) decode(src paramSource, prefix string, dst reflect.Value) *apiError {
	name := prefix + fp.name
	if fp.kind == kFile {
		return fp.decodeFile(src, name, dst)
	}
	raw, ok := src.raw(fp.name)
	if !ok {
		switch {
		case fp.hasDef:
			dst.SetInt(fp.def)
		case fp.required:
			return errParam("%s: required parameter is missing", name)
		}
		return nil
	}
	switch fp.kind {
	case kID:
		var id flexID
		if err := id.UnmarshalJSON(raw); err != nil {
			return errParam("%s: must be an integer id", name)
		}
		dst.SetInt(int64(id))
	case kInt:
		var n flexID
		if err := n.UnmarshalJSON(raw); err != nil {
			return errParam("%s: must be an integer", name)
		}
		if fp.ranged && (int64(n) < fp.min || int64(n) > fp.max) {
			return errParam("%s: must be between %d and %d", name, fp.min, fp.max)
		}
		dst.SetInt(int64(n))
	case kString:
		return fp.decodeString(name, raw, dst)
	case kStringPtr:
		v := reflect.New(dst.Type().Elem())
		if err := fp.decodeString(name, raw, v.Elem()); err != nil {
			return err
		}
		dst.Set(v)
	case kBool:
		b, err := strconv.ParseBool(string(unquoteJSON(raw)))
		if err != nil {
			return errParam("%s: must be true or false", name)
		}
		dst.SetBool(b)
	case kMoney, kMoneyPtr:
		var m money
		if err := m.UnmarshalJSON(raw); err != nil {
			return errParam("%s: invalid value %s (%v)", name, truncate(string(raw), 80), err)
		}
		if fp.kind == kMoney {
			dst.Set(reflect.ValueOf(m))
		} else if m.set {
			dst.Set(reflect.ValueOf(&m))
		}
	case kIDs, kStrings, kJSON:
		return fp.decodeList(name, raw, dst)
	case kObject:
		return fp.decodeObject(name, raw, dst)
	}
	return nil
}

// decodeFile takes an uploaded file of a multipart request.
func (fp *fieldPlan) decodeFile(src paramSource, name string, dst reflect.Value) *apiError {
	p, _ := src.(*params)
	if p == nil || p.files == nil {
		if fp.required {
			return errParam("%s: required file is missing (send the request as multipart/form-data)", name)
		}
		return nil
	}
	f, ok := p.files[fp.name]
	if !ok {
		if fp.required {
			return errParam("%s: required file is missing", name)
		}
		return nil
	}
	dst.Set(reflect.ValueOf(f))
	return nil
}

// decodeList decodes id and string arrays and JSON values (item lists such
// as data[] included).
func (fp *fieldPlan) decodeList(name string, raw json.RawMessage, dst reflect.Value) *apiError {
	switch fp.kind {
	case kIDs:
		ids, err := decodeArray[flexID](fp, name, raw, "ids", "ids")
		if err != nil {
			return err
		}
		dst.Set(reflect.ValueOf(idsOf(ids)))
	case kStrings:
		ss, err := decodeArray[string](fp, name, raw, "strings", "values")
		if err != nil {
			return err
		}
		for _, s := range ss {
			if len(fp.enum) > 0 && !slices.Contains(fp.enum, s) {
				return errParam("%s: invalid value %q", name, s)
			}
		}
		dst.Set(reflect.ValueOf(ss))
	default:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(dst.Addr().Interface()); err != nil {
			return errParam("%s: invalid value %s (%v)", name, truncate(string(raw), 80), cleanJSONErr(err))
		}
		if dst.Kind() == reflect.Slice {
			return fp.checkCount(name, dst.Len(), "items")
		}
	}
	return nil
}

// decodeArray decodes a JSON array of T (of what, as the error for another
// value says) and checks its count (of items, as the count's error says).
func decodeArray[T any](fp *fieldPlan, name string, raw json.RawMessage, what, items string) ([]T, *apiError) {
	var xs []T
	if err := json.Unmarshal(raw, &xs); err != nil {
		return nil, errParam("%s: must be an array of %s", name, what)
	}
	return xs, fp.checkCount(name, len(xs), items)
}

func (fp *fieldPlan) decodeString(name string, raw json.RawMessage, dst reflect.Value) *apiError {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		// Numbers sent for string fields are accepted as their text.
		if !json.Valid(raw) || raw[0] == '{' || raw[0] == '[' {
			return errParam("%s: must be a string", name)
		}
		s = string(raw)
	}
	if s == "" && fp.required {
		return errParam("%s: required parameter is missing", name)
	}
	if s != "" && len(fp.enum) > 0 && !slices.Contains(fp.enum, s) {
		return errParam("%s: invalid value %q", name, s)
	}
	if s != "" && fp.date {
		if _, ok := parseDate(s); !ok {
			return errParam("%s: must be a date in the format YYYY-MM-DD", name)
		}
	}
	dst.SetString(s)
	return nil
}

func (fp *fieldPlan) decodeObject(name string, raw json.RawMessage, dst reflect.Value) *apiError {
	var obj objectSource
	if err := json.Unmarshal(raw, &obj); err != nil {
		return errParam("%s: must be a JSON object", name)
	}
	if fp.filter {
		for k := range obj {
			if !slices.Contains(fp.sub.names, k) {
				return errCode(CodeFilterField, "%s.%s is not a supported filtering field", name, k)
			}
		}
	}
	if fp.required && len(obj) == 0 {
		return errParam("%s: required parameter is missing", name)
	}
	return fp.sub.decode(obj, name+".", dst)
}

func (fp *fieldPlan) checkCount(name string, n int, what string) *apiError {
	if fp.required && n == 0 {
		return errParam("%s: required parameter is missing", name)
	}
	if fp.maxN > 0 && n > fp.maxN {
		return errParam("%s: at most %d %s per request", name, fp.maxN, what)
	}
	return nil
}

// unquoteJSON strips the quotes of a JSON string holding a scalar.
func unquoteJSON(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}

func cleanJSONErr(err error) string {
	s := err.Error()
	if i := strings.Index(s, "json: "); i >= 0 {
		s = s[i+6:]
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
