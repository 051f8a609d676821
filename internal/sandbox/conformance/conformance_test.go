package conformance

import (
	"net/http"
	"testing"

	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestEveryEndpointHasACase keeps the suite and the sandbox's endpoint table
// in step: every endpoint has exactly one case with its method and body kind.
func TestEveryEndpointHasACase(t *testing.T) {
	sim, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]Case{}
	for _, c := range Cases() {
		if _, dup := cases[c.Key]; dup {
			t.Errorf("%s has two cases", c.Key)
		}
		cases[c.Key] = c
	}
	for _, e := range sim.EndpointTable() {
		c, ok := cases[e.Key]
		if !ok {
			t.Errorf("%s %s has no conformance case", e.Method, e.Key)
			continue
		}
		if c.Method != e.Method || c.Multipart != e.Multipart {
			t.Errorf("%s: case is %s (multipart %v), the sandbox serves %s (multipart %v)", e.Key, c.Method, c.Multipart, e.Method, e.Multipart)
		}
		delete(cases, e.Key)
	}
	for k := range cases {
		t.Errorf("case %s names no sandbox endpoint", k)
	}
}

// TestSDKRequests sends every case's request, encoded as the SDK does, to a
// fresh sandbox and checks the answer: code 0 and the fields the SDK's
// response model reads.
func TestSDKRequests(t *testing.T) {
	t.Parallel()
	for _, c := range Cases() {
		t.Run(c.Key, func(t *testing.T) {
			t.Parallel()
			f := fixtureWith(t, sandbox.Options{})
			req, err := c.Request(f)
			if err != nil {
				t.Fatal(err)
			}
			env, err := f.Send(req)
			if err != nil {
				t.Fatal(err)
			}
			if env.Code != 0 {
				t.Fatalf("code %d: %s", env.Code, env.Message)
			}
			if err := Check(c.Data, env.Data); err != nil {
				t.Fatalf("%v\n%s", err, brief(string(env.Data)))
			}
			if c.Check != nil {
				if err := c.Check(f, env.Data); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestReencodeRoundTrips decodes every case's SDK request back into its
// model and encodes it again: the wire is unchanged, so Reencode reads what
// the SDK writes.
func TestReencodeRoundTrips(t *testing.T) {
	t.Parallel()
	f := fixtureWith(t, sandbox.Options{})
	for _, c := range Cases() {
		req, err := c.Request(f)
		if err != nil {
			t.Fatalf("%s: %v", c.Key, err)
		}
		if c.Multipart {
			continue // uploads are not re-encoded: no client of ours uploads
		}
		again, err := Reencode(req)
		if err != nil {
			t.Fatalf("%s: %v", c.Key, err)
		}
		a, err := ReadWire(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ReadWire(again)
		if err != nil {
			t.Fatal(err)
		}
		if err := SameWire(a, b); err != nil {
			t.Errorf("%s: %v", c.Key, err)
		}
	}
}

// TestSameWireFindsDifferences: an extra parameter, a missing one, a changed
// value and a missing token are reported; equal numbers in other notations
// are not.
func TestSameWireFindsDifferences(t *testing.T) {
	base := Wire{Method: http.MethodPost, Path: "/open_api/x/", Token: true, ContentType: "application/json",
		Params: map[string]any{"a": "1", "b": []any{"x"}}}
	for name, mutate := range map[string]func(w *Wire){
		"extra":   func(w *Wire) { w.Params["c"] = "1" },
		"missing": func(w *Wire) { delete(w.Params, "b") },
		"value":   func(w *Wire) { w.Params["b"] = []any{"y"} },
		"token":   func(w *Wire) { w.Token = false },
	} {
		w := Wire{Method: base.Method, Path: base.Path, Token: base.Token, ContentType: base.ContentType, Params: map[string]any{"a": "1", "b": []any{"x"}}}
		mutate(&w)
		if SameWire(w, base) == nil {
			t.Errorf("%s: no difference reported", name)
		}
	}
	if err := SameWire(Wire{Params: map[string]any{"n": "1234.50"}}, Wire{Params: map[string]any{"n": "1234.5"}}); err != nil {
		t.Errorf("equal numbers: %v", err)
	}
}
