package sandbox

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
)

// Every API endpoint is one row of the table in routes.go: its method, how
// it authenticates, its quota class, what its advertiser_id must name and
// its request struct. Dispatch (ServeHTTP) handles what all of them share in
// one place: the path with or without a trailing slash, the method, fault
// injection, authentication, the rate limit, resolving and locking the
// advertiser, decoding and validating the parameters, and the envelope.

type authKind uint8

const (
	authNone       authKind = iota
	authToken               // Access-Token header
	authQueryToken          // access_token parameter (oauth2/advertiser/get)
)

// scope is what an endpoint's advertiser_id must name before its handler
// runs.
type scope uint8

const (
	scopeNone       scope = iota
	scopeAccount          // any account the grant reaches (rc.acct)
	scopeAdvertiser       // a leaf advertiser the grant reaches (rc.acct, rc.st), read-locked
	scopeWrite            // as scopeAdvertiser, write-locked
)

// QuotaClass groups endpoints by the rate the platform allows them per app.
type QuotaClass string

// Quota classes. Standard endpoints get Options.QPS each; the classes below
// are capped lower, as the platform caps tools and uploads (one published
// figure: 3 QPS per app for a tools endpoint). Options.EndpointQPS overrides
// any endpoint.
const (
	QuotaStandard QuotaClass = "standard"
	QuotaTools    QuotaClass = "tools"  // at most ToolsQPS
	QuotaUpload   QuotaClass = "upload" // at most UploadQPS
)

// Class caps (requests per second per app and endpoint).
const (
	ToolsQPS  = 3
	UploadQPS = 5
)

// qps is the class's rate when the standard one is standard (negative:
// unlimited).
func (c QuotaClass) qps(standard float64) float64 {
	limit := 0.0
	switch c {
	case QuotaTools:
		limit = ToolsQPS
	case QuotaUpload:
		limit = UploadQPS
	}
	if limit == 0 || standard < 0 {
		return standard
	}
	return min(standard, limit)
}

// endpoint is one row of the API table.
type endpoint struct {
	key    string // path after /open_api/ without the trailing slash
	method string
	auth   authKind
	quota  QuotaClass
	scope  scope
	// multipart marks uploads: POST multipart/form-data instead of JSON.
	multipart bool
	// reqType is the request struct (for listings and tests) and plan its
	// decoding plan.
	reqType reflect.Type
	plan    *paramPlan
	call    func(rc *reqCtx) (any, *apiError)
	// extraCodes are the business codes the endpoint answers beyond the
	// ones its row implies (see codes).
	extraCodes []int
}

// handlerOf adapts a typed handler: the parameters are decoded into a new R
// by its plan before h runs.
func handlerOf[R any](h func(*reqCtx, *R) (any, *apiError)) (reflect.Type, *paramPlan, func(*reqCtx) (any, *apiError)) {
	t := reflect.TypeFor[R]()
	plan := planOf(t)
	return t, plan, func(rc *reqCtx) (any, *apiError) {
		var req R
		if err := plan.decode(rc.p, "", reflect.ValueOf(&req).Elem()); err != nil {
			return nil, err
		}
		return h(rc, &req)
	}
}

// get and post build table rows; options adjust them.
func get[R any](key string, sc scope, h func(*reqCtx, *R) (any, *apiError), opts ...func(*endpoint)) endpoint {
	return row(key, http.MethodGet, sc, h, opts)
}

func post[R any](key string, sc scope, h func(*reqCtx, *R) (any, *apiError), opts ...func(*endpoint)) endpoint {
	return row(key, http.MethodPost, sc, h, opts)
}

func row[R any](key, method string, sc scope, h func(*reqCtx, *R) (any, *apiError), opts []func(*endpoint)) endpoint {
	e := endpoint{key: key, method: method, auth: authToken, quota: QuotaStandard, scope: sc}
	e.reqType, e.plan, e.call = handlerOf(h)
	for _, o := range opts {
		o(&e)
	}
	return e
}

// Row options.
func withAuth(a authKind) func(*endpoint)    { return func(e *endpoint) { e.auth = a } }
func withQuota(c QuotaClass) func(*endpoint) { return func(e *endpoint) { e.quota = c } }
func multipartForm() func(*endpoint)         { return func(e *endpoint) { e.multipart = true } }

// withCodes documents business codes the handler answers beyond the
// implied ones.
func withCodes(codes ...int) func(*endpoint) {
	return func(e *endpoint) { e.extraCodes = append(e.extraCodes, codes...) }
}

// required lists the top-level parameters a request must carry:
// advertiser_id when the scope resolves it, and the plan's required ones.
func (e *endpoint) required() []string {
	var out []string
	if e.scope != scopeNone {
		out = append(out, "advertiser_id")
	}
	for _, f := range e.plan.fields {
		if f.required && !slices.Contains(out, f.name) {
			out = append(out, f.name)
		}
	}
	return out
}

// intParams lists the top-level integer parameters (ids, counts).
func (e *endpoint) intParams() []string {
	var out []string
	for _, f := range e.plan.fields {
		if f.kind == kID || f.kind == kInt {
			out = append(out, f.name)
		}
	}
	return out
}

// codes lists the business codes the endpoint can answer besides 0: 40001
// for bad parameters, the token codes for token endpoints, 40002 where
// advertiser_id is resolved, 40003 where it takes filtering, the quota
// codes and 50000 (faults); plus its documented extra codes. Sorted.
func (e *endpoint) codes() []int {
	set := map[int]bool{CodeTooFrequent: true, CodeDeveloperLimited: true, CodeSystem: true}
	if len(e.plan.fields) > 0 || e.scope != scopeNone {
		set[CodeParam] = true
	}
	switch e.auth {
	case authToken:
		set[CodeAccessExpired], set[CodeAccessEmpty], set[CodeAccessInvalid] = true, true, true
	case authQueryToken:
		set[CodeAccessExpired], set[CodeAccessInvalid] = true, true
		if !slices.Contains(e.required(), "access_token") {
			set[CodeAccessEmpty] = true
		}
	}
	if e.scope != scopeNone {
		set[CodeNoPermission] = true
	}
	for _, f := range e.plan.fields {
		if f.filter {
			set[CodeFilterField] = true
		}
	}
	for _, c := range e.extraCodes {
		set[c] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// resolveScope resolves advertiser_id as the endpoint's scope requires and
// takes the advertiser's lock; the returned function releases it.
func (rc *reqCtx) resolveScope(sc scope) (func(), *apiError) {
	switch sc {
	case scopeAccount:
		a, err := rc.account("advertiser_id")
		if err != nil {
			return nil, err
		}
		rc.acct = a
	case scopeAdvertiser, scopeWrite:
		st, err := rc.advertiser()
		if err != nil {
			return nil, err
		}
		rc.acct, rc.st = st.acct, st
		if sc == scopeWrite {
			st.mu.Lock()
			return st.mu.Unlock, nil
		}
		st.mu.RLock()
		return st.mu.RUnlock, nil
	}
	return func() {}, nil
}
