package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/oceanops/adplatform/internal/sandbox"
)

// Fixture is a sandbox with one authorisation, as a case sees it.
type Fixture struct {
	BaseURL      string
	Sim          *sandbox.Sim
	World        *sandbox.World
	AppID        int64
	Secret       string
	Token        string // access token of a grant of every top-level account
	RefreshToken string
	Advertiser   int64 // a leaf advertiser with v2 and v3 entities
	Majordomo    int64
	Agent        int64
	HTTP         *http.Client
}

// NewFixture authorises every top-level account of the sandbox at baseURL
// through oauth2/access_token, encoded as the SDK does.
func NewFixture(baseURL string, sim *sandbox.Sim) (*Fixture, error) {
	w := sim.World()
	f := &Fixture{BaseURL: baseURL, Sim: sim, World: w, AppID: sim.AppID(), Secret: sim.Secret(), HTTP: &http.Client{},
		Advertiser: w.Advertisers()[0], Majordomo: w.Majordomos()[0], Agent: w.Agents()[0]}
	code, err := sim.Authorize(nil)
	if err != nil {
		return nil, err
	}
	req, err := Encode(baseURL, "oauth2/access_token", http.MethodPost, &oauth2AccessTokenRequest{AppId: &f.AppID, AuthCode: code, Secret: f.Secret}, "", false)
	if err != nil {
		return nil, err
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := f.Do(req, &tok); err != nil {
		return nil, err
	}
	f.Token, f.RefreshToken = tok.AccessToken, tok.RefreshToken
	return f, nil
}

// Envelope is the platform's answer.
type Envelope struct {
	Code      int64           `json:"code"`
	Message   string          `json:"message"`
	Data      json.RawMessage `json:"data"`
	RequestID string          `json:"request_id"`
}

// Send performs req and decodes the envelope; an HTTP status other than 200
// or a body that is not JSON is an error.
func (f *Fixture) Send(req *http.Request) (Envelope, error) {
	var env Envelope
	resp, err := f.HTTP.Do(req)
	if err != nil {
		return env, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return env, err
	}
	if resp.StatusCode != http.StatusOK {
		return env, fmt.Errorf("%s %s: HTTP %d: %s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		return env, fmt.Errorf("%s %s: %w: %s", req.Method, req.URL.Path, err, body)
	}
	return env, nil
}

// Do performs req and decodes a successful answer's data into out.
func (f *Fixture) Do(req *http.Request, out any) error {
	env, err := f.Send(req)
	if err != nil {
		return err
	}
	if env.Code != 0 {
		return fmt.Errorf("%s %s: code %d: %s", req.Method, req.URL.Path, env.Code, env.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Data, out)
}

// Entity returns the first entity of a kind ("campaign", "ad", "creative",
// "project", "promotion") of the fixture's advertiser whose status is one of
// statuses (any status when none is given). It panics when there is none:
// the world is fixed by its seed.
func (f *Fixture) Entity(kind string, statuses ...string) sandbox.Entity {
	if e, ok := f.find(kind, statuses); ok {
		return e
	}
	panic(fmt.Sprintf("conformance: advertiser %d has no %s in %v", f.Advertiser, kind, statuses))
}

func (f *Fixture) find(kind string, statuses []string) (sandbox.Entity, bool) {
	for _, e := range f.World.Entities(kind, f.Advertiser) {
		if len(statuses) == 0 || slices.Contains(statuses, e.Status) {
			return e, true
		}
	}
	return sandbox.Entity{}, false
}

func ptr[T any](v T) *T { return &v }

// firstID returns the id (idKey) of the first item of the list (listKey)
// that GET key answers for params. It panics when there is none: the world
// is fixed by its seed.
func (f *Fixture) firstID(key string, params any, listKey, idKey string) int64 {
	var data map[string]json.RawMessage
	var list []map[string]json.RawMessage
	var id int64
	req, err := Encode(f.BaseURL, key, http.MethodGet, params, f.Token, false)
	if err == nil {
		err = f.Do(req, &data)
	}
	if err == nil {
		err = json.Unmarshal(data[listKey], &list)
	}
	if err == nil && len(list) == 0 {
		err = fmt.Errorf("%s is empty", listKey)
	}
	if err == nil {
		err = json.Unmarshal(list[0][idKey], &id)
	}
	if err != nil {
		panic(fmt.Sprintf("conformance: %s: no %s: %v", key, idKey, err))
	}
	return id
}

// Material returns the first material of a kind ("image", "video") of the
// fixture's advertiser.
func (f *Fixture) Material(kind string) sandbox.Material {
	for _, m := range f.World.Materials(f.Advertiser) {
		if m.Kind == kind {
			return m
		}
	}
	panic(fmt.Sprintf("conformance: advertiser %d has no %s", f.Advertiser, kind))
}

// EntityOfAny is Entity over every leaf advertiser (the fixture's first):
// it returns the advertiser and the entity.
func (f *Fixture) EntityOfAny(kind string, statuses ...string) (int64, sandbox.Entity) {
	for _, adv := range f.World.Advertisers() {
		g := *f
		g.Advertiser = adv
		if e, ok := g.find(kind, statuses); ok {
			return adv, e
		}
	}
	panic(fmt.Sprintf("conformance: no advertiser has a %s in %v", kind, statuses))
}
