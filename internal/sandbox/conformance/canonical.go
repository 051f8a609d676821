package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// Wire is a request as the platform reads it: method, path, the set of
// parameters with their values (JSON values decoded), whether it carries an
// access token and its content type.
type Wire struct {
	Method      string
	Path        string
	Params      map[string]any
	Token       bool
	ContentType string // media type of a POST body
}

// ReadWire reads req (its body is consumed and replaced).
func ReadWire(req *http.Request) (Wire, error) {
	w := Wire{Method: req.Method, Path: req.URL.Path, Token: req.Header.Get("Access-Token") != "", Params: map[string]any{}}
	for k, vs := range req.URL.Query() {
		w.Params[k] = queryValue(vs[len(vs)-1])
	}
	if req.Method == http.MethodGet || req.Body == nil {
		return w, nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return w, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	w.ContentType, _, _ = mime.ParseMediaType(req.Header.Get("Content-Type"))
	if w.ContentType != "application/json" {
		return w, fmt.Errorf("conformance: %s: content type %q, want application/json", req.URL.Path, w.ContentType)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return w, fmt.Errorf("conformance: %s: body: %w", req.URL.Path, err)
	}
	for k, v := range m {
		w.Params[k] = v
	}
	return w, nil
}

// queryValue is a query parameter's value: JSON arrays and objects decoded,
// anything else as its text.
func queryValue(s string) any {
	if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			return v
		}
	}
	return s
}

// SameWire returns an error describing the first difference between a and
// b; numbers are compared by value (1234.5 equals 1234.50).
func SameWire(a, b Wire) error {
	switch {
	case a.Method != b.Method:
		return fmt.Errorf("method %s, want %s", a.Method, b.Method)
	case a.Path != b.Path:
		return fmt.Errorf("path %s, want %s", a.Path, b.Path)
	case a.Token != b.Token:
		return fmt.Errorf("Access-Token sent: %v, want %v", a.Token, b.Token)
	case a.ContentType != b.ContentType:
		return fmt.Errorf("content type %q, want %q", a.ContentType, b.ContentType)
	}
	keys := map[string]bool{}
	for k := range a.Params {
		keys[k] = true
	}
	for k := range b.Params {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		x, inA := a.Params[k]
		y, inB := b.Params[k]
		switch {
		case !inA:
			return fmt.Errorf("parameter %s missing (the SDK sends %s)", k, brief(y))
		case !inB:
			return fmt.Errorf("parameter %s = %s is not sent by the SDK", k, brief(x))
		}
		if err := sameValue(k, x, y); err != nil {
			return err
		}
	}
	return nil
}

func sameValue(path string, x, y any) error {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s, want %s", path, brief(x), brief(y))
		}
		return SameWire(Wire{Params: xv}, Wire{Params: yv})
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return fmt.Errorf("%s: %s, want %s", path, brief(x), brief(y))
		}
		for i := range xv {
			if err := sameValue(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i]); err != nil {
				return err
			}
		}
		return nil
	case json.Number:
		if yv, ok := y.(json.Number); ok && sameNumber(string(xv), string(yv)) {
			return nil
		}
	case string:
		if yv, ok := y.(string); ok && (xv == yv || sameNumber(xv, yv)) {
			return nil
		}
	default:
		if reflect.DeepEqual(x, y) {
			return nil
		}
	}
	return fmt.Errorf("%s: %s, want %s", path, brief(x), brief(y))
}

func sameNumber(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && x.Cmp(y) == 0
}

// Reencode decodes the parameters of req strictly into the SDK request
// model of its endpoint (a parameter the model does not have, or a value
// of the wrong type, is an error) and returns the request the SDK sends for
// them. req's body is consumed and replaced.
func Reencode(req *http.Request) (*http.Request, error) {
	key := strings.Trim(strings.TrimPrefix(req.URL.Path, "/open_api/"), "/")
	c, ok := Lookup(key)
	if !ok {
		return nil, fmt.Errorf("conformance: no case for endpoint %s", key)
	}
	if c.Method != req.Method {
		return nil, fmt.Errorf("conformance: %s: method %s, the SDK uses %s", key, req.Method, c.Method)
	}
	model := reflect.New(c.Model)
	var raw []byte
	if req.Method == http.MethodGet {
		obj, err := queryAsJSON(req.URL.Query(), c.Model)
		if err != nil {
			return nil, fmt.Errorf("conformance: %s: %w", key, err)
		}
		raw = obj
	} else {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		raw = body
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(model.Interface()); err != nil {
		return nil, fmt.Errorf("conformance: %s: the SDK's request model cannot hold the parameters: %w", key, err)
	}
	if err := checkRequired(model.Elem()); err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", key, err)
	}
	token := ""
	if req.Header.Get("Access-Token") != "" {
		token = "token"
	}
	scheme := "http://" + req.Host
	if req.Host == "" {
		scheme = "http://sandbox"
	}
	return Encode(scheme, key, c.Method, model.Interface(), token, c.Multipart)
}

// checkRequired reports a parameter the SDK always sends (tag
// sdk:"required") that the request lacks.
func checkRequired(v reflect.Value) error {
	for _, f := range modelParams(v.Type()) {
		if f.Tag.Get("sdk") != "required" {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice) && fv.IsNil() {
			return fmt.Errorf("parameter %s is missing: the SDK always sends it", paramName(f))
		}
	}
	return nil
}

// queryAsJSON turns query parameters into the JSON object the model t
// decodes: string fields take the text as a string, others the text as JSON.
func queryAsJSON(q url.Values, t reflect.Type) ([]byte, error) {
	fields := map[string]reflect.Type{}
	for _, f := range modelParams(t) {
		fields[paramName(f)] = f.Type
	}
	names := slices.Sorted(maps.Keys(q))
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range names {
		ft, ok := fields[k]
		if !ok {
			return nil, fmt.Errorf("parameter %q is not an SDK parameter", k)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		v := q.Get(k)
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.String {
			s, _ := json.Marshal(v)
			buf.Write(s)
			continue
		}
		if !json.Valid([]byte(v)) {
			return nil, errors.New("parameter " + k + " = " + v + " is not JSON")
		}
		buf.WriteString(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
