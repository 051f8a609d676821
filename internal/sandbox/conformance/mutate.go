package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// WithParams returns a copy of req whose parameters edit changed: query
// parameters, JSON body members or multipart form values and files. edit
// sees scalars as strings (query, form) or JSON values (body: json.Number,
// string, bool), arrays and objects decoded, files as File. It is for
// requests the SDK would not send (a missing or wrong parameter); the
// result keeps req's encoding rules.
func WithParams(req *http.Request, edit func(map[string]any)) (*http.Request, error) {
	out := req.Clone(req.Context())
	switch {
	case req.Method == http.MethodGet:
		m := map[string]any{}
		for k, vs := range req.URL.Query() {
			m[k] = queryValue(vs[len(vs)-1])
		}
		edit(m)
		q := url.Values{}
		for k, v := range m {
			s, err := textOf(v)
			if err != nil {
				return nil, err
			}
			q.Set(k, s)
		}
		u := *req.URL
		u.RawQuery = q.Encode()
		out.URL = &u
		return out, nil
	case isMultipart(req):
		return editMultipart(req, out, edit)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	m := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("conformance: body: %w", err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	return out, nil
}

func isMultipart(req *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// textOf is a parameter's text by the SDK's rule.
func textOf(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func editMultipart(req, out *http.Request, edit func(map[string]any)) (*http.Request, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	_, ps, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	r := multipart.NewReader(bytes.NewReader(body), ps["boundary"])
	m := map[string]any{}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		if p.FileName() != "" {
			m[p.FormName()] = File{Name: p.FileName(), Data: data}
		} else {
			m[p.FormName()] = queryValue(string(data))
		}
	}
	edit(m)
	names := slices.Sorted(maps.Keys(m))
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range names {
		if f, ok := m[k].(File); ok {
			part, err := w.CreateFormFile(k, f.Name)
			if err != nil {
				return nil, err
			}
			if _, err := part.Write(f.Data); err != nil {
				return nil, err
			}
			continue
		}
		s, err := textOf(m[k])
		if err != nil {
			return nil, err
		}
		if err := w.WriteField(k, s); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	out.Header = req.Header.Clone()
	out.Header.Set("Content-Type", w.FormDataContentType())
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(buf.Bytes())), int64(buf.Len())
	return out, nil
}

// accountParams are the parameters naming the account a request acts for,
// in the order WithUnknownAccount tries them.
var accountParams = []string{"advertiser_id", "advertiser_ids", "cc_account_id"}

// WithUnknownAccount returns req acting for an account that does not exist
// (which the platform answers like one outside the grant: 40002).
func WithUnknownAccount(req *http.Request) (*http.Request, error) {
	found := false
	r, err := WithParams(req, func(m map[string]any) {
		for _, k := range accountParams {
			if _, ok := m[k]; !ok {
				continue
			}
			found = true
			if strings.HasSuffix(k, "_ids") {
				m[k] = []any{json.Number("1")}
			} else {
				m[k] = "1"
			}
			return
		}
	})
	if err == nil && !found {
		err = fmt.Errorf("conformance: %s names no account", req.URL.Path)
	}
	return r, err
}
