// Package conformance builds requests exactly as OceanEngine's official Go
// SDK (github.com/oceanengine/ad_open_sdk_go) serializes them, for every
// endpoint the sandbox serves, and checks the answers against the fields the
// SDK's response models read. Its tests run the whole table against the
// sandbox; Reencode and SameWire let other packages check that their own
// requests encode as the SDK's do.
//
// The SDK's rules, as its api/client.go applies them:
//
//   - Paths are "/open_api/<key>/" (always a trailing slash).
//   - GET parameters go in the query string, one per set parameter: a string
//     (or a string enum) as its text, anything else (numbers, booleans,
//     arrays, objects) as its JSON encoding; url.Values.Encode then sorts and
//     escapes them.
//   - POST bodies are the request model encoded with json.Encoder (which
//     ends the body with a newline), Content-Type application/json.
//   - Uploads are multipart/form-data: form values by the query rule, files
//     as form-file parts named after the parameter.
//   - Headers: Access-Token (not "Bearer"), User-Agent "Bytedance Ads Openapi
//     SDK", X-Sdk-Language, X-Sdk-Language-Version, X-Sdk-Version, Accept.
//
// Request models here are written for this package from the SDK's field
// names and types: pointers and omitempty for optional parameters, plain
// types for the ones the SDK always sends.
package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
)

// SDKVersion is the SDK version the X-Sdk-Version header names.
const SDKVersion = "1.1.12"

// File is one file of an upload.
type File struct {
	Name string
	Data []byte
}

var fileType = reflect.TypeFor[File]()

// Encode builds the request the SDK sends to base for endpoint key with the
// parameters params (a pointer to a request model; nil for none) and the
// access token (empty: none).
func Encode(base, key, method string, params any, token string, multipartForm bool) (*http.Request, error) {
	u := strings.TrimSuffix(base, "/") + "/open_api/" + key + "/"
	h := http.Header{}
	var body []byte
	switch {
	case method == http.MethodGet:
		q, err := queryValues(params)
		if err != nil {
			return nil, err
		}
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
	case multipartForm:
		b, ctype, err := multipartBody(params)
		if err != nil {
			return nil, err
		}
		body = b
		h.Set("Content-Type", ctype)
	default:
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(params); err != nil {
			return nil, fmt.Errorf("conformance: %s: encode body: %w", key, err)
		}
		body = buf.Bytes()
		h.Set("Content-Type", "application/json")
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "Bytedance Ads Openapi SDK")
	h.Set("X-Sdk-Language", "go")
	h.Set("X-Sdk-Language-Version", runtime.Version())
	h.Set("X-Sdk-Version", SDKVersion)
	if token != "" {
		h.Set("Access-Token", token)
	}
	req.Header = h
	return req, nil
}

// queryValues applies the SDK's parameter rule to every set field of the
// struct params points to.
func queryValues(params any) (url.Values, error) {
	q := url.Values{}
	err := eachParam(params, func(name string, v reflect.Value) error {
		if reflect.Indirect(v).Type() == fileType {
			return fmt.Errorf("conformance: %s: files go in multipart bodies", name)
		}
		s, err := paramText(v)
		if err != nil {
			return fmt.Errorf("conformance: parameter %s: %w", name, err)
		}
		q.Add(name, s)
		return nil
	})
	return q, err
}

// paramText is the text of one parameter: strings (string enums too) as
// they are, everything else JSON-encoded.
func paramText(v reflect.Value) (string, error) {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.String {
		return v.String(), nil
	}
	b, err := json.Marshal(v.Interface())
	return string(b), err
}

// eachParam calls fn for every set (non-nil) field of the struct p points
// to, with its JSON name.
func eachParam(p any, fn func(name string, v reflect.Value) error) error {
	if p == nil {
		return nil
	}
	v := reflect.ValueOf(p)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	for _, sf := range modelParams(v.Type()) {
		f := v.FieldByIndex(sf.Index)
		if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.IsNil() {
			continue
		}
		if err := fn(paramName(sf), f); err != nil {
			return err
		}
	}
	return nil
}

// modelParams lists the parameters of the request model t (a struct type):
// its fields with a JSON name, with the fields of embedded structs (groups
// several models share) in their place.
func modelParams(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for _, f := range reflect.VisibleFields(t) {
		if name := paramName(f); !f.Anonymous && name != "" && name != "-" {
			out = append(out, f)
		}
	}
	return out
}

// paramName is the JSON name of a model's field.
func paramName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

func multipartBody(params any) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	err := eachParam(params, func(name string, v reflect.Value) error {
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Type() == fileType {
			f := v.Interface().(File)
			part, err := w.CreateFormFile(name, filepath.Base(f.Name))
			if err != nil {
				return err
			}
			_, err = part.Write(f.Data)
			return err
		}
		s, err := paramText(v)
		if err != nil {
			return err
		}
		return w.WriteField(name, s)
	})
	if err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
