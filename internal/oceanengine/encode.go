package oceanengine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
)

// encodeQuery turns a request struct into GET parameters the way the
// platform expects: the struct is marshalled to a JSON object (so json tags
// and omitempty decide the parameters, and int64 ids stay exact); then
// strings become plain values, numbers and booleans their literal text, and
// arrays and objects (filtering, fields, group_by, dimensions...) their JSON
// text, which url.Values then URL-encodes.
func encodeQuery(req any) (url.Values, error) {
	q := url.Values{}
	if req == nil {
		return q, nil
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("oceanengine: encode parameters: %w", err)
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("oceanengine: parameters must encode as a JSON object: %w", err)
	}
	for k, v := range fields {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
			continue
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("oceanengine: encode parameter %s: %w", k, err)
			}
			q.Set(k, s)
		default:
			q.Set(k, string(v))
		}
	}
	return q, nil
}

// encodeBody marshals a POST body. The platform takes JSON with numbers
// for ids and amounts.
func encodeBody(req any) ([]byte, error) {
	if req == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("oceanengine: encode body: %w", err)
	}
	return b, nil
}
