package httpapi

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/health"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// authBundle is a server with authentication on real MariaDB and Redis, a
// settable clock and an admin ("root") already created.
type authBundle struct {
	srv   *Server
	h     http.Handler
	db    *mysql.DB
	rdb   goredis.UniversalClient
	redis *redistest.Server
	clock *fakeclock.Clock // shared by the server and the auth service
	cfg   config.Config
}

const adminPassword = "Admin-Passphrase-2026"

// setupAuth builds the bundle. Tests use bcrypt cost 4 to stay fast.
func setupAuth(t testing.TB, mutate ...func(*config.Config)) *authBundle {
	t.Helper()
	db := mysqltest.New(t)
	rdb, rs := redistest.New(t)
	cfg := config.Default()
	cfg.Server.Mode = "test"
	cfg.JWT.Secret = "test-secret-0123456789-abcdefghijklmnop"
	cfg.Security.BcryptCost = 4
	cfg.Security.AuthRatePerMinute = 10000
	for _, m := range mutate {
		m(&cfg)
	}
	clock := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	checker := &health.Checker{Timeout: 500 * time.Millisecond, Checks: []health.Check{
		health.Ping("mysql", db.PingContext),
	}}
	srv, err := New(withServices(t, Deps{Config: cfg, Logger: zap.NewNop(), DB: db, Health: checker, Now: clock.Now}, rdb))
	if err != nil {
		t.Fatal(err)
	}
	b := &authBundle{srv: srv, h: srv.Handler(), db: db, rdb: rdb, redis: rs, clock: clock, cfg: cfg}
	if _, err := srv.deps.Auth.CreateUser(context.Background(), auth.CreateUserInput{Username: "root",
		Password: adminPassword, Roles: []string{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	return b
}

// req describes one request of a test.
type req struct {
	method, path, body string
	token              string // bearer token, if any
	ip                 string // client address, default 192.0.2.1
	header             map[string]string
}

// resp is a decoded response.
type resp struct {
	status int
	header http.Header
	env    Envelope
	raw    string
}

// fieldErr is one entry of data.fields.
type fieldErr struct {
	Field   string            `json:"field"`
	Message string            `json:"message"`
	Rule    string            `json:"rule"`
	Params  map[string]string `json:"params"`
}

// fieldErrs returns data.fields whole.
func (r resp) fieldErrs() []fieldErr {
	var d struct {
		Data struct {
			Fields []fieldErr `json:"fields"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(r.raw), &d)
	return d.Data.Fields
}

// field returns the first field named in data.fields, if any.
func (r resp) fields() []string {
	var d struct {
		Data struct {
			Fields []struct{ Field string } `json:"fields"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(r.raw), &d)
	var out []string
	for _, f := range d.Data.Fields {
		out = append(out, f.Field)
	}
	return out
}

// wantReason requires r to be an error of status naming reason with
// exactly params; what names the request in the failure.
func wantReason(t testing.TB, r resp, what string, status int, reason string, params map[string]string) {
	t.Helper()
	if r.status != status || r.env.Reason != reason || !maps.Equal(r.env.Params, params) {
		t.Fatalf("%s: %d reason %q params %v, want %d %q %v\n%s", what, r.status, r.env.Reason, r.env.Params, status, reason, params, r.raw)
	}
}

// okData requires a 200 response and decodes its data into a new T; what
// names the request in the failure.
func okData[T any](t testing.TB, r resp, what string) T {
	t.Helper()
	return dataOf[T](t, r, what, http.StatusOK)
}

// okCreated is okData of a 201 response.
func okCreated[T any](t testing.TB, r resp, what string) T {
	t.Helper()
	return dataOf[T](t, r, what, http.StatusCreated)
}

func dataOf[T any](t testing.TB, r resp, what string, status int) T {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: %d %s", what, r.status, r.raw)
	}
	var out T
	r.data(t, &out)
	return out
}

// dataIfOK decodes the data of a 200 response into a new T (zero for
// another status).
func dataIfOK[T any](t testing.TB, r resp) T {
	t.Helper()
	var out T
	if r.status == http.StatusOK {
		r.data(t, &out)
	}
	return out
}

func (r resp) data(t testing.TB, v any) {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.raw), &env); err != nil {
		t.Fatalf("decode %s: %v", r.raw, err)
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", env.Data, err)
	}
}

func (b *authBundle) do(t testing.TB, q req) resp {
	t.Helper()
	r := newJSONRequest(q.method, q.path, q.body)
	if q.token != "" {
		r.Header.Set("Authorization", "Bearer "+q.token)
	}
	r.Header.Set("User-Agent", "authtest/1")
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	ip := q.ip
	if ip == "" {
		ip = "192.0.2.1"
	}
	r.RemoteAddr = ip + ":40000"
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	out := resp{status: w.Code, header: w.Header(), raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &out.env)
	return out
}

// expect does q and fails the test unless the answer has status; what
// names the request in the failure.
func (b *authBundle) expect(t testing.TB, what string, q req, status int) {
	t.Helper()
	if r := b.do(t, q); r.status != status {
		t.Fatalf("%s: %d, want %d: %s", what, r.status, status, r.raw)
	}
}

// check does q and marks the test failed unless the answer has status;
// what names the request in the failure.
func (b *authBundle) check(t testing.TB, what string, q req, status int) {
	t.Helper()
	if r := b.do(t, q); r.status != status {
		t.Errorf("%s: %d, want %d: %s", what, r.status, status, r.raw)
	}
}

// tokens is the data of a sign-in or refresh.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	User         struct {
		ID             int64    `json:"id"`
		Username       string   `json:"username"`
		Roles          []string `json:"roles"`
		Permissions    []string `json:"permissions"`
		AllAdvertisers bool     `json:"all_advertisers"`
		// MustChangePassword: until changed, only /auth/me, /auth/password and /auth/logout answer.
		MustChangePassword bool `json:"must_change_password"`
		// MustEnableMFA: until two-step verification is on, only /auth/me, /auth/password, /auth/logout and /auth/mfa* answer.
		MustEnableMFA bool `json:"must_enable_mfa"`
	} `json:"user"`
}

func loginBody(user, pw string) string {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	return string(b)
}

// login signs in and fails the test unless it succeeds.
func (b *authBundle) login(t testing.TB, user, pw string) tokens {
	t.Helper()
	r := b.do(t, req{method: "POST", path: "/api/v1/auth/login", body: loginBody(user, pw)})
	if r.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", user, r.status, r.raw)
	}
	var tk tokens
	r.data(t, &tk)
	return tk
}

// signUp creates a user (admin is the creating admin's access token) and
// signs them in.
func (b *authBundle) signUp(t testing.TB, admin, username, password string, roles []string, advertisers ...int64) (int64, tokens) {
	t.Helper()
	id := b.createUser(t, admin, username, password, roles, advertisers...)
	return id, b.login(t, username, password)
}

// The passwords of the two operators of the scope tests.
const (
	alicePassword = "Quartz-Harbor-731"
	bobPassword   = "Maple-Lantern-482"
)

// operator is a user signed up by signUpOperators: its id and tokens.
type operator struct {
	id int64
	tokens
}

// signUpOperators signs up, in that order, the operators alice (seeing the
// advertisers aliceAdvs) and bob (bobAdvs) of the tests on scopes.
func (b *authBundle) signUpOperators(t testing.TB, admin string, aliceAdvs, bobAdvs []int64) (alice, bob operator) {
	t.Helper()
	alice.id, alice.tokens = b.signUp(t, admin, "alice", alicePassword, []string{auth.RoleOperator}, aliceAdvs...)
	bob.id, bob.tokens = b.signUp(t, admin, "bob", bobPassword, []string{auth.RoleOperator}, bobAdvs...)
	return alice, bob
}

// createUser creates a user through the admin API and returns its id.
func (b *authBundle) createUser(t testing.TB, admin, username, password string, roles []string, advertisers ...int64) int64 {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"username": username, "password": password, "roles": roles, "advertiser_ids": advertisers})
	r := b.do(t, req{method: "POST", path: "/api/v1/users", body: string(body), token: admin})
	if r.status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", username, r.status, r.raw)
	}
	var u struct {
		ID int64 `json:"id"`
	}
	r.data(t, &u)
	return u.ID
}
