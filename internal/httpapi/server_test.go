package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/health"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/redis/redistest"
)

// bundle is what a test of the server needs.
type bundle struct {
	srv   *Server
	redis *redistest.Server
}

func setup(t *testing.T, mutate ...func(*config.Config)) bundle {
	t.Helper()
	db := mysqltest.New(t)
	rdb, rs := redistest.New(t)
	cfg := config.Default()
	cfg.Server.Mode = "test"
	for _, m := range mutate {
		m(&cfg)
	}
	checker := &health.Checker{Timeout: 500 * time.Millisecond, Checks: []health.Check{
		health.Ping("mysql", db.PingContext),
		health.Ping("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() }),
	}}
	srv, err := New(withServices(t, Deps{Config: cfg, Logger: zap.NewNop(), DB: db, Health: checker, Build: Build{Version: "v-test"}}, rdb))
	if err != nil {
		t.Fatal(err)
	}
	return bundle{srv: srv, redis: rs}
}

func do(t *testing.T, h http.Handler, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := newJSONRequest(method, path, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// newJSONRequest is a request with body, sent as JSON when not empty.
func newJSONRequest(method, path, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func decodeEnvelope(t *testing.T, w *httptest.ResponseRecorder) Envelope {
	t.Helper()
	var env Envelope
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
		t.Fatalf("body is not an envelope: %v: %s", err, w.Body)
	}
	if env.RequestID == "" {
		t.Errorf("envelope without request_id: %s", w.Body)
	}
	return env
}

func TestUnknownRoutesUseEnvelope(t *testing.T) {
	b := setup(t)
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nope", 404, "route_not_found"},
		{"DELETE", "/api/v1/version", 405, "method_not_allowed"},
		{"GET", "/api/v1/version", 200, CodeOK},
	}
	for _, tt := range tests {
		w := do(t, b.srv.Handler(), tt.method, tt.path, "")
		if w.Code != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, w.Code, tt.status)
		}
		if env := decodeEnvelope(t, w); env.Code != tt.code {
			t.Errorf("%s %s: code %q, want %q", tt.method, tt.path, env.Code, tt.code)
		}
	}
}

func TestRequestIDAcceptedOrGenerated(t *testing.T) {
	b := setup(t)
	w := do(t, b.srv.Handler(), "GET", "/api/v1/version", "", HeaderRequestID, "abc-123")
	if got := w.Header().Get(HeaderRequestID); got != "abc-123" {
		t.Errorf("echoed id = %q, want abc-123", got)
	}
	if env := decodeEnvelope(t, w); env.RequestID != "abc-123" {
		t.Errorf("envelope id = %q", env.RequestID)
	}
	w = do(t, b.srv.Handler(), "GET", "/api/v1/version", "", HeaderRequestID, "bad id\nwith newline")
	if got := w.Header().Get(HeaderRequestID); got == "" || strings.Contains(got, " ") {
		t.Errorf("unsafe id not replaced: %q", got)
	}
}

type bindReq struct {
	Name   string   `json:"name" validate:"required,max=10"`
	Budget int64    `json:"budget" validate:"gte=300"`
	Tags   []string `json:"tags" validate:"max=2"`
}

// echoRoute registers a test route answering 200 with what bind bound
// into a new R.
func echoRoute[R any](e *gin.Engine, method, path string, bind binder) {
	e.Handle(method, path, func(c *gin.Context) {
		serveBound(c, bind, 200, func(req R) (R, error) { return req, nil }, asIs)
	})
}

func TestBindJSONErrorsNameFields(t *testing.T) {
	b := setup(t, func(c *config.Config) { c.Server.MaxBodyBytes = 200 })
	e := b.srv.engine
	echoRoute[bindReq](e, "POST", "/api/v1/_test/bind", b.srv.bindJSON)
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"ok", `{"name":"a","budget":300}`, 200, ""},
		{"missing field", `{"budget":300}`, 422, "name"},
		{"too long", `{"name":"abcdefghijkl","budget":300}`, 422, "name"},
		{"rule", `{"name":"a","budget":5}`, 422, "budget"},
		{"wrong type", `{"name":"a","budget":"lots"}`, 400, "budget"},
		{"unknown field", `{"name":"a","budget":300,"bugdet":1}`, 400, "bugdet"},
		{"too many items", `{"name":"a","budget":300,"tags":["x","y","z"]}`, 422, "tags"},
		{"malformed", `{"name":`, 400, ""},
		{"empty", ``, 400, ""},
		{"oversize", `{"name":"` + strings.Repeat("x", 300) + `"}`, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, e, "POST", "/api/v1/_test/bind", tt.body)
			if tt.body == "" {
				req := httptest.NewRequest("POST", "/api/v1/_test/bind", nil)
				w = httptest.NewRecorder()
				e.ServeHTTP(w, req)
			}
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.field == "" {
				return
			}
			var env struct {
				Data struct {
					Fields []struct{ Field string } `json:"fields"`
				} `json:"data"`
			}
			_ = json.Unmarshal(w.Body.Bytes(), &env)
			if len(env.Data.Fields) == 0 || env.Data.Fields[0].Field != tt.field {
				t.Fatalf("fields = %+v, want %q named: %s", env.Data.Fields, tt.field, w.Body)
			}
		})
	}
}

func TestQueryBindingNamesParameter(t *testing.T) {
	b := setup(t)
	e := b.srv.engine
	echoRoute[PageQuery](e, "GET", "/api/v1/_test/page", b.srv.bindQuery)
	w := do(t, e, "GET", "/api/v1/_test/page", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"PageSize":20`) {
		t.Fatalf("defaults not applied: %d %s", w.Code, w.Body)
	}
	// A refused parameter names its rule and figures, as the console
	// says them in the operator's language.
	for _, tt := range []struct {
		query  string
		status int
		want   fieldErr
	}{
		{"page=x", 400, fieldErr{Field: "page", Message: "must be an integer", Rule: "type", Params: map[string]string{"type": "integer"}}},
		{"page=1&page=2", 400, fieldErr{Field: "page", Message: "must be given once", Rule: "once"}},
		{"page_size=1000", 422, fieldErr{Field: "page_size", Message: "must be at most 200", Rule: "max", Params: map[string]string{"n": "200"}}},
	} {
		w = do(t, e, "GET", "/api/v1/_test/page?"+tt.query, "")
		got := resp{status: w.Code, raw: w.Body.String()}.fieldErrs()
		if w.Code != tt.status || len(got) != 1 || got[0].Field != tt.want.Field || got[0].Message != tt.want.Message ||
			got[0].Rule != tt.want.Rule || !maps.Equal(got[0].Params, tt.want.Params) {
			t.Fatalf("?%s: %d %s, want %d %+v", tt.query, w.Code, w.Body, tt.status, tt.want)
		}
	}
}

// TestQueryFieldOfUnsupportedTypeIsOurMistake: a query struct the binder
// cannot fill answers 500 (our bug), not a 400 blaming the client.
func TestQueryFieldOfUnsupportedTypeIsOurMistake(t *testing.T) {
	b := setup(t)
	type badQuery struct {
		At struct{ X int } `form:"at"`
	}
	echoRoute[badQuery](b.srv.engine, "GET", "/api/v1/_test/badquery", b.srv.bindQuery)
	w := do(t, b.srv.engine, "GET", "/api/v1/_test/badquery?at=1", "")
	if env := decodeEnvelope(t, w); w.Code != 500 || env.Code != "internal" || strings.Contains(w.Body.String(), "unsupported") {
		t.Fatalf("%d %s, want a 500 without internals", w.Code, w.Body)
	}
	if w := do(t, b.srv.engine, "GET", "/api/v1/_test/badquery", ""); w.Code != 200 {
		t.Fatalf("without the parameter: %d %s", w.Code, w.Body)
	}
}

func TestPanicBecomesEnvelopeWithoutInternals(t *testing.T) {
	b := setup(t)
	b.srv.engine.GET("/api/v1/_test/panic", func(c *gin.Context) { panic("secret internal detail") })
	w := do(t, b.srv.engine, "GET", "/api/v1/_test/panic", "")
	if w.Code != 500 {
		t.Fatalf("status %d", w.Code)
	}
	if strings.Contains(w.Body.String(), "secret internal detail") {
		t.Fatalf("500 leaks internals: %s", w.Body)
	}
	if env := decodeEnvelope(t, w); env.Code != "internal" {
		t.Fatalf("code %q", env.Code)
	}
}

func TestMetricsUseRouteTemplates(t *testing.T) {
	b := setup(t)
	b.srv.engine.GET("/api/v1/_test/items/:id", func(c *gin.Context) { respond(c, 200, nil) })
	// The id is a word no metric name, label or sample value can hold.
	do(t, b.srv.engine, "GET", "/api/v1/_test/items/leakprobe", "")
	do(t, b.srv.engine, "GET", "/api/v1/definitely-missing", "")
	w := do(t, b.srv.engine, "GET", "/metrics", "")
	body := w.Body.String()
	for _, want := range []string{
		`http_requests_total{method="GET",path="/api/v1/_test/items/:id",status="200"}`,
		`http_requests_total{method="GET",path="unmatched",status="404"}`,
		`http_request_duration_seconds_bucket{method="GET",path="/api/v1/_test/items/:id",le=`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "leakprobe") {
		t.Error("raw URL leaked into metric labels")
	}
}

func TestHealthNamesFailedDependencyAndRecovers(t *testing.T) {
	b := setup(t)
	get := func() (int, health.Public) {
		w := do(t, b.srv.Handler(), "GET", "/health", "")
		var rep health.Public
		if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
			t.Fatalf("health body: %v: %s", err, w.Body)
		}
		return w.Code, rep
	}
	if code, rep := get(); code != 200 || rep.Status != "ok" {
		t.Fatalf("healthy: %d %+v", code, rep)
	}
	b.redis.Stop()
	code, rep := get()
	if code != 503 || len(rep.Failed) != 1 || rep.Failed[0] != "redis" || rep.Checks["mysql"] != "ok" || rep.Checks["redis"] != "fail" {
		t.Fatalf("redis down: %d %+v", code, rep)
	}
	b.redis.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, _ := get(); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("health did not recover after redis returned")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestGracefulShutdownDrainsInFlight(t *testing.T) {
	b := setup(t)
	started := make(chan struct{})
	b.srv.engine.GET("/api/v1/_test/slow", func(c *gin.Context) {
		close(started)
		time.Sleep(1500 * time.Millisecond)
		respond(c, 200, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- b.srv.Serve(ctx, ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/api/v1/_test/slow")
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		res <- result{status: resp.StatusCode, body: string(body)}
	}()
	<-started
	cancel() // what SIGTERM does in main
	r := <-res
	if r.err != nil || r.status != 200 || !strings.Contains(r.body, "done") {
		t.Fatalf("in-flight request did not complete: %+v", r)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	b := setup(t)
	doc := loadOpenAPI(t)
	for _, r := range b.srv.engine.Routes() {
		if strings.Contains(r.Path, "/_test/") {
			continue
		}
		path := openAPIPath(r.Path)
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("route %s %s is not in openapi.yaml (as %s)", r.Method, r.Path, path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("openapi.yaml lacks method %s for %s", r.Method, path)
		}
	}
}
