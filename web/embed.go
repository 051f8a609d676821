// Package web serves the console: the production build of the Vue app in
// this folder (npm run build writes dist/app), embedded in the server binary.
//
// A fresh clone builds without Node: dist/ then holds only its README and
// the handler answers the console's routes with a page saying how to build
// it. `make build` and `make run` build the console first.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// contentSecurityPolicy is what the console needs: its own scripts, styles
// and API calls, nothing inline, never framed; images may be data: URLs (the
// QR code that sets up two-step verification comes as one).
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

const notBuiltPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>OceanOps</title></head>
<body><h1>The console is not built</h1><p>Run <code>make web</code> (or <code>make run</code>), then reload.
The API is served at <a href="/api/v1/openapi.yaml">/api/v1</a>.</p></body></html>`

// Console serves the built console from fsys (the root holds index.html
// and assets/): files as they are, and index.html for every other path, so
// that the console's history-mode routes (/accounts, /ads?page=2) load on
// a reload or a shared link.
type Console struct {
	files fs.FS
	index []byte
}

// New returns the console embedded in the binary.
func New() *Console {
	sub, err := fs.Sub(dist, "dist/app")
	if err != nil { // cannot happen: "dist/app" is a valid path
		panic(err)
	}
	return NewFromFS(sub)
}

// NewFromFS serves the console found in fsys (tests pass their own).
func NewFromFS(fsys fs.FS) *Console {
	c := &Console{files: fsys}
	if b, err := fs.ReadFile(fsys, "index.html"); err == nil {
		c.index = b
	}
	return c
}

// Built reports whether the console's build was found.
func (c *Console) Built() bool { return c.index != nil }

// ServeHTTP answers GET and HEAD; the caller routes only non-API paths here.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name != "" && name != "index.html" {
		if f, err := c.files.Open(name); err == nil {
			st, serr := f.Stat()
			_ = f.Close()
			if serr == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					// File names carry a content hash: cache them for good.
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					w.Header().Set("Cache-Control", "no-cache")
				}
				http.ServeFileFS(w, r, c.files, name)
				return
			}
		}
		// A missing file (a stale chunk after a deploy) must not come back as
		// the HTML page: the browser would try to run it as a script.
		if path.Ext(name) != "" {
			http.NotFound(w, r)
			return
		}
	}
	c.serveIndex(w, r)
}

func (c *Console) serveIndex(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	if h.Get("Content-Security-Policy") == "" { // the API's middleware may already set one
		h.Set("Content-Security-Policy", contentSecurityPolicy)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	body := c.index
	status := http.StatusOK
	if body == nil {
		body, status = []byte(notBuiltPage), http.StatusServiceUnavailable
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
