package sandbox

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The authorise page mimics open.oceanengine.com/audit/oauth.html: the user
// sees the accounts they can grant, ticks some and approves; the browser is
// then sent to redirect_uri?auth_code=...&state=....

const pageCSS = `body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f6fa;margin:0;color:#1f2329}
header{background:#1664ff;color:#fff;padding:14px 32px;font-size:18px;font-weight:600}
main{max-width:880px;margin:24px auto;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.08);padding:24px 32px}
h1{font-size:20px;margin:0 0 8px}.muted{color:#646a73;font-size:13px}
table{width:100%;border-collapse:collapse;margin:16px 0}td,th{padding:8px;border-bottom:1px solid #eef0f3;text-align:left;font-size:14px}
.role{display:inline-block;padding:1px 8px;border-radius:10px;background:#e8f3ff;color:#1664ff;font-size:12px}
button{background:#1664ff;color:#fff;border:0;border-radius:4px;padding:9px 28px;font-size:15px;cursor:pointer}
a.cancel{margin-left:16px;color:#646a73}code{background:#f2f3f5;padding:1px 5px;border-radius:3px}
pre{background:#f2f3f5;padding:12px;border-radius:6px;overflow:auto;font-size:12px}`

const authorizeHTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>巨量引擎开放平台 - 授权 (沙盒)</title><style>` + pageCSS + `</style></head>
<body><header>巨量引擎 · 开放平台 <span class="muted" style="color:#cfe0ff">沙盒 sandbox</span></header><main>
<h1>应用 {{.AppID}} 申请访问你的广告账户</h1>
<p class="muted">授权后，该应用可以读取账户信息、广告数据与报表，并修改广告状态、预算和出价。授权码 10 分钟内有效，仅可使用一次。</p>
<p class="muted">登录用户：{{.User}}</p>
<form method="post" action="/audit/oauth.html">
<input type="hidden" name="app_id" value="{{.AppID}}"><input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">{{if .MaterialAuth}}<input type="hidden" name="material_auth" value="1">{{end}}
<table><tr><th><input type="checkbox" checked onclick="for(const c of document.querySelectorAll('.acct'))c.checked=this.checked"></th><th>账户</th><th>ID</th><th>角色</th><th>下属广告主</th></tr>
{{range .Accounts}}<tr><td><input class="acct" type="checkbox" name="advertiser_id" value="{{.ID}}" checked></td><td>{{.Name}}<div class="muted">{{.Company}}</div></td><td><code>{{.ID}}</code></td><td><span class="role">{{.Role}}</span></td><td>{{len .Children}}</td></tr>
{{end}}</table>
<button type="submit">同意授权</button><a class="cancel" href="{{.Cancel}}">取消</a>
</form></main></body></html>`

const errorHTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>授权失败</title><style>` + pageCSS + `</style></head>
<body><header>巨量引擎 · 开放平台 (沙盒)</header><main><h1>无法授权</h1><p>{{.}}</p></main></body></html>`

const indexHTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>OceanEngine sandbox</title><style>` + pageCSS + `</style></head>
<body><header>OceanEngine Marketing API sandbox</header><main>
<h1>{{.Leaves}} advertisers · {{.Majors}} majordomos · {{.Agents}} agents</h1>
<p class="muted">Simulated now: <b>{{.Now}}</b> (Beijing) · app_id <code>{{.AppID}}</code> · seed {{.Seed}}</p>
<p><a href="{{.AuthorizeURL}}">Authorise the demo app</a> — approving redirects to a page that shows the auth code.</p>
<pre>curl -s -X POST {{.Base}}/open_api/oauth2/access_token/ -H 'Content-Type: application/json' \
  -d '{"app_id":{{.AppID}},"secret":"SECRET","auth_code":"CODE"}'</pre>
<p>Introspection: <a href="/_sim/">/_sim/</a> · <a href="/_sim/world">/_sim/world</a> · <a href="/_sim/stats">/_sim/stats</a> · <a href="/_sim/clock">/_sim/clock</a></p>
</main></body></html>`

const callbackHTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>auth code</title><style>` + pageCSS + `</style></head>
<body><header>OceanEngine sandbox · demo callback</header><main><h1>Auth code received</h1>
<p>auth_code <code>{{.Code}}</code> state <code>{{.State}}</code></p>
<pre>curl -s -X POST {{.Base}}/open_api/oauth2/access_token/ -H 'Content-Type: application/json' \
  -d '{"app_id":{{.AppID}},"secret":"SECRET","auth_code":"{{.Code}}"}'</pre>
<p class="muted">The code expires in 10 minutes and works once.</p></main></body></html>`

type pages struct {
	authorize, fail, index, callback *template.Template
}

func newPages() pages {
	return pages{
		authorize: template.Must(template.New("authorize").Parse(authorizeHTML)),
		fail:      template.Must(template.New("error").Parse(errorHTML)),
		index:     template.Must(template.New("index").Parse(indexHTML)),
		callback:  template.Must(template.New("callback").Parse(callbackHTML)),
	}
}

func (s *Sim) pageError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = s.pages.fail.Execute(w, msg)
}

// validRedirect accepts absolute http(s) URLs only.
func validRedirect(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

func redirectWith(u *url.URL, kvs ...string) string {
	q := u.Query()
	for i := 0; i+1 < len(kvs); i += 2 {
		q.Set(kvs[i], kvs[i+1])
	}
	c := *u
	c.RawQuery = q.Encode()
	return c.String()
}

// approve issues an auth code for accounts (nil: every top-level one) and
// sends the user back to redirect with it and state.
func (s *Sim) approve(w http.ResponseWriter, r *http.Request, redirect *url.URL, state string, accounts []int64) {
	code, err := s.Authorize(accounts)
	if err != nil {
		s.pageError(w, err.Error())
		return
	}
	http.Redirect(w, r, redirectWith(redirect, "auth_code", code, "state", state), http.StatusFound)
}

// handleAuthorize serves GET (the consent page) and POST (approval).
func (s *Sim) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.pageError(w, "invalid request")
		return
	}
	appID, err := strconv.ParseInt(r.Form.Get("app_id"), 10, 64)
	if err != nil || appID != s.opts.AppID {
		s.pageError(w, "app_id 无效 (invalid app_id)")
		return
	}
	redirect, ok := validRedirect(r.Form.Get("redirect_uri"))
	if !ok {
		s.pageError(w, "redirect_uri 无效 (must be an absolute http(s) URL)")
		return
	}
	state := r.Form.Get("state")
	wd := s.world.Load()
	switch r.Method {
	case http.MethodGet:
		if s.opts.AutoApprove {
			s.approve(w, r, redirect, state, nil)
			return
		}
		data := struct {
			AppID        int64
			State        string
			RedirectURI  string
			MaterialAuth bool
			User         string
			Accounts     []*Account
			Cancel       string
		}{appID, state, redirect.String(), r.Form.Get("material_auth") == "1", wd.user.name + " (" + wd.user.email + ")", wd.top,
			redirectWith(redirect, "state", state, "error", "access_denied")}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = s.pages.authorize.Execute(w, data)
	case http.MethodPost:
		var accounts []int64
		for _, v := range r.Form["advertiser_id"] {
			id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || wd.byID[id] == nil {
				s.pageError(w, "unknown account "+v)
				return
			}
			accounts = append(accounts, id)
		}
		if len(accounts) == 0 {
			s.pageError(w, "请至少选择一个账户 (select at least one account)")
			return
		}
		s.approve(w, r, redirect, state, accounts)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleIndex is the demo landing page.
func (s *Sim) handleIndex(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	wd := s.world.Load()
	base := baseURL(r)
	authURL := "/audit/oauth.html?" + url.Values{"app_id": {strconv.FormatInt(s.opts.AppID, 10)}, "state": {"demo"},
		"redirect_uri": {base + "/_sim/callback"}}.Encode()
	data := map[string]any{"Leaves": len(wd.leaves), "Majors": len(wd.majors), "Agents": len(wd.agents),
		"Now": s.clock.Now().In(beijing).Format(layoutDateTime), "AppID": s.opts.AppID, "Seed": s.opts.Seed,
		"AuthorizeURL": authURL, "Base": base}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = s.pages.index.Execute(w, data)
}

// handleCallback is a built-in redirect target for demos without a client.
func (s *Sim) handleCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = s.pages.callback.Execute(w, map[string]any{"Code": r.URL.Query().Get("auth_code"), "State": r.URL.Query().Get("state"),
		"Base": baseURL(r), "AppID": s.opts.AppID})
}
