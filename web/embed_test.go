package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestConsoleServesFilesAndFallsBackToIndex(t *testing.T) {
	c := NewFromFS(fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>console</title>")},
		"assets/app-abc.js":  {Data: []byte("console.log(1)")},
		"assets/app-abc.css": {Data: []byte("body{}")},
		"favicon.ico":        {Data: []byte("ico")},
	})
	if !c.Built() {
		t.Fatal("Built() = false with an index.html")
	}
	tests := []struct {
		method, path string
		status       int
		body, cache  string
		html         bool
	}{
		{"GET", "/", 200, "<title>console</title>", "no-cache", true},
		{"GET", "/accounts", 200, "<title>console</title>", "no-cache", true},
		{"GET", "/ads?page=2&status=AD_STATUS_DISABLE", 200, "<title>console</title>", "no-cache", true},
		{"GET", "/index.html", 200, "<title>console</title>", "no-cache", true},
		{"GET", "/assets/app-abc.js", 200, "console.log(1)", "public, max-age=31536000, immutable", false},
		{"GET", "/favicon.ico", 200, "ico", "no-cache", false},
		{"GET", "/assets/gone-123.js", 404, "", "", false},
		{"GET", "/../../etc/passwd", 200, "<title>console</title>", "no-cache", true},
		{"HEAD", "/changes", 200, "", "no-cache", true},
		{"POST", "/accounts", 405, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			c.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.body != "" && !strings.Contains(w.Body.String(), tt.body) {
				t.Errorf("body %q, want it to contain %q", w.Body.String(), tt.body)
			}
			if got := w.Header().Get("Cache-Control"); tt.cache != "" && got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			csp := w.Header().Get("Content-Security-Policy")
			if tt.html && (!strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'")) {
				t.Errorf("HTML answer without the console's CSP: %q", csp)
			}
			if tt.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD answered a body of %d bytes", w.Body.Len())
			}
		})
	}
}

func TestConsoleKeepsACSPSetBefore(t *testing.T) {
	c := NewFromFS(fstest.MapFS{"index.html": {Data: []byte("x")}})
	w := httptest.NewRecorder()
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	c.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Values("Content-Security-Policy"); len(got) != 1 || got[0] != "default-src 'none'" {
		t.Errorf("CSP %q, want the one set before", got)
	}
}

func TestConsoleNotBuilt(t *testing.T) {
	c := NewFromFS(fstest.MapFS{})
	if c.Built() {
		t.Fatal("Built() = true without index.html")
	}
	w := httptest.NewRecorder()
	c.ServeHTTP(w, httptest.NewRequest("GET", "/dashboard", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "make web") {
		t.Errorf("%d %q, want 503 saying how to build the console", w.Code, w.Body.String())
	}
}

// TestEmbeddedConsole checks the embedded tree: the placeholder always, and
// when the console was built, its index with no inline script (the CSP
// forbids them).
func TestEmbeddedConsole(t *testing.T) {
	if _, err := dist.Open("dist/README.md"); err != nil {
		t.Fatalf("the committed placeholder is missing: %v", err)
	}
	c := New()
	if !c.Built() {
		t.Skip("console not built (make web); the embedded placeholder is checked above")
	}
	html := string(c.index)
	if !strings.Contains(html, `<script type="module"`) || strings.Contains(html, "<script>") {
		t.Errorf("built index.html: want module scripts only, no inline script:\n%s", html)
	}
}
