package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Business codes the sandbox answers with. They mirror the real platform's
// codes (docs/sandbox.md lists where each one is produced).
const (
	CodeOK               = 0
	CodeParam            = 40001
	CodeNoPermission     = 40002
	CodeFilterField      = 40003
	CodeTooFrequent      = 40100
	CodeInvalidApp       = 40101
	CodeAccessExpired    = 40102
	CodeRefreshExpired   = 40103
	CodeAccessEmpty      = 40104
	CodeAccessInvalid    = 40105
	CodeRefreshInvalid   = 40107
	CodeGrantType        = 40108
	CodeDeveloperLimited = 40110
	CodeSystem           = 50000
)

// apiError is a business error: it is rendered as an HTTP 200 envelope with a
// non-zero code, the way the real platform reports failures.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.code, e.msg) }

func errParam(format string, args ...any) *apiError {
	return &apiError{code: CodeParam, msg: fmt.Sprintf(format, args...)}
}

func errCode(code int, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

// ---- a small ordered JSON encoder ----
//
// Responses are built from obj (an ordered list of key/value pairs) rather than
// structs and encoding/json: key order stays stable for golden files, the
// `fields` parameter can drop keys cheaply, and the hot report path avoids
// reflection.

type kv struct {
	k string
	v any
}

// obj is an ordered JSON object.
type obj []kv

// yuan is an amount in fen rendered as a JSON number in yuan with 2 decimals.
type yuan int64

// yuanStr is an amount in fen rendered as a JSON string in yuan with 2 decimals.
type yuanStr int64

// cents is a value in hundredths rendered as a number with 2 decimals (percentages, ratios).
type cents int64

// centsStr is cents rendered as a string.
type centsStr int64

// i64Str is an integer rendered as a JSON string.
type i64Str int64

func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case string:
		return appendString(b, x)
	case yuan:
		return appendFixed2(b, int64(x))
	case cents:
		return appendFixed2(b, int64(x))
	case yuanStr:
		b = append(b, '"')
		b = appendFixed2(b, int64(x))
		return append(b, '"')
	case centsStr:
		b = append(b, '"')
		b = appendFixed2(b, int64(x))
		return append(b, '"')
	case i64Str:
		b = append(b, '"')
		b = strconv.AppendInt(b, int64(x), 10)
		return append(b, '"')
	case obj:
		b = append(b, '{')
		for i, p := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, p.k)
			b = append(b, ':')
			b = appendJSON(b, p.v)
		}
		return append(b, '}')
	case []obj:
		return appendArray(b, x, func(b []byte, o obj) []byte { return appendJSON(b, o) })
	case []any:
		return appendArray(b, x, appendJSON)
	case []int64:
		return appendArray(b, x, func(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) })
	case []string:
		return appendArray(b, x, appendString)
	case json.RawMessage:
		return append(b, x...)
	default:
		// Only reached for types the sandbox itself never builds; encoding/json
		// keeps the output valid rather than panicking.
		raw, err := json.Marshal(x)
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, raw...)
	}
}

// appendArray renders xs as a JSON array, each element with elem.
func appendArray[T any](b []byte, xs []T, elem func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, x)
	}
	return append(b, ']')
}

// appendFixed2 renders v/100 with exactly two decimals using integer math only.
func appendFixed2(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	r := v % 100
	return append(b, '.', byte('0'+r/10), byte('0'+r%10))
}

func fixed2(v int64) string { return string(appendFixed2(nil, v)) }

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Strings in the sandbox are valid
// UTF-8 (generated, or decoded from JSON which replaces invalid bytes), so
// only quotes, backslashes and control characters need escaping; runs of
// other bytes are copied at once.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jw appends the members of one JSON object; the hot report paths use it to
// avoid boxing every value.
type jw struct {
	b []byte
	n int
}

func (w *jw) key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = appendString(w.b, k)
	w.b = append(w.b, ':')
}

func (w *jw) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

// raw writes a value that is already JSON (entity.qname).
func (w *jw) raw(k, v string) {
	w.key(k)
	w.b = append(w.b, v...)
}

// quotedRaw writes digits (entity.qid) as a JSON string.
func (w *jw) quotedRaw(k, digits string) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = append(w.b, digits...)
	w.b = append(w.b, '"')
}

// ---- request parameters ----

// params gives uniform access to GET query parameters (scalars plain, arrays
// and objects JSON-encoded), POST JSON bodies and multipart form values
// (read like query parameters) and files.
type params struct {
	q     url.Values
	body  map[string]json.RawMessage
	post  bool
	files map[string]formFile // multipart uploads
}

func parseQuery(raw string) (*params, *apiError) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, errParam("query string: %v", err)
	}
	return &params{q: q}, nil
}

func parseBody(data []byte) (*params, *apiError) {
	p := &params{post: true, body: map[string]json.RawMessage{}}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(data, &p.body); err != nil {
		return nil, errParam("request body is not a JSON object: %v", err)
	}
	return p, nil
}

// raw returns the parameter as JSON text. GET scalars that are not valid JSON
// (plain strings such as dates) are returned quoted so callers can decode them.
func (p *params) raw(name string) (json.RawMessage, bool) {
	if p.post {
		v, ok := p.body[name]
		if !ok || string(v) == "null" {
			return nil, false
		}
		return v, true
	}
	vs, ok := p.q[name]
	if !ok || len(vs) == 0 || vs[0] == "" {
		return nil, false
	}
	s := vs[0]
	if json.Valid([]byte(s)) {
		return json.RawMessage(s), true
	}
	return json.RawMessage(strconv.Quote(s)), true
}

// id reads an int64 id given as a number or a quoted string.
func (p *params) id(name string, required bool) (int64, *apiError) {
	raw, ok := p.raw(name)
	if !ok {
		if required {
			return 0, errParam("%s: required parameter is missing", name)
		}
		return 0, nil
	}
	var f flexID
	if err := f.UnmarshalJSON(raw); err != nil {
		return 0, errParam("%s: must be an integer id", name)
	}
	return int64(f), nil
}

// flexID is an int64 that accepts JSON numbers and numeric strings.
type flexID int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexID) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s", truncate(string(b), 40))
	}
	*f = flexID(v)
	return nil
}

func idsOf(in []flexID) []int64 {
	out := make([]int64, len(in))
	for i, v := range in {
		out[i] = int64(v)
	}
	return out
}

// money is an amount in yuan parsed exactly into fen. It accepts JSON numbers
// and numeric strings with at most two decimals; floats are never involved.
type money struct {
	fen int64
	set bool
}

// or is m when the request gave it, else o (a cpa_bid given wins over the
// bid).
func (m money) or(o money) money {
	if m.set {
		return m
	}
	return o
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *money) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	fen, err := parseYuan(s)
	if err != nil {
		return err
	}
	m.fen, m.set = fen, true
	return nil
}

func parseYuan(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty amount")
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, fmt.Errorf("amount %q must have at most 2 decimals", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	var f int64
	if frac != "" {
		for len(frac) < 2 {
			frac += "0"
		}
		f, err = strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("amount %q is not a number", s)
		}
	}
	v := w*100 + f
	if neg {
		v = -v
	}
	return v, nil
}

// endpointKey turns a request path into the key used by stats, faults and
// rate limits: the part after /open_api/ without a trailing slash.
func endpointKey(path string) (string, bool) {
	const prefix = "/open_api/"
	if !strings.HasPrefix(path, prefix) {
		return "", false
	}
	k := strings.TrimSuffix(path[len(prefix):], "/")
	return k, k != ""
}
