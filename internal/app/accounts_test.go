package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/proctest"
)

// TestDemoFlowWithBinaries runs the demo of docs/accounts.md with the real
// binaries and config/config.dev.yaml: sandbox, API and worker; sign in,
// authorise, approve on the sandbox page, land on the callback, list the
// advertisers, and see the worker fill in balances.
func TestDemoFlowWithBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries")
	}
	p := planStack(t)
	sim, api := p.simURL, p.api
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p.startSim(t, ctx, "-advertisers", "12")
	apiProc := p.startAPI(t, ctx)
	workerProc := p.startWorker(t)

	c := p.signIn(t, ctx, apiProc)
	// The OAuth callback is a browser's redirect: it carries no session.
	browser := &e2eClient{t: t, ctx: ctx, api: api}
	var authz struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	if st := c.call("POST", "/api/v1/oauth/oceanengine/authorize", "", &authz); st != 200 {
		t.Fatalf("authorize: %d", st)
	}
	// The sandbox consent page: GET shows the accounts, the form POSTs them.
	u, _ := url.Parse(authz.AuthorizeURL)
	if !strings.HasPrefix(authz.AuthorizeURL, sim+"/audit/oauth.html?") {
		t.Fatalf("authorize URL %s", authz.AuthorizeURL)
	}
	var world struct {
		Accounts []struct {
			ID       int64  `json:"id"`
			Role     string `json:"role"`
			ParentID int64  `json:"parent_id"`
		} `json:"accounts"`
	}
	resp, err := http.Get(sim + "/_sim/world")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&world)
	resp.Body.Close()
	form := url.Values{"app_id": {u.Query().Get("app_id")}, "state": {u.Query().Get("state")}, "redirect_uri": {u.Query().Get("redirect_uri")}}
	leaves := 0
	for _, a := range world.Accounts {
		if a.ParentID == 0 {
			form.Add("advertiser_id", fmt.Sprint(a.ID))
		}
		if a.Role == "ADVERTISER" {
			leaves++
		}
	}
	if leaves == 0 {
		t.Fatalf("no advertisers in /_sim/world")
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.PostForm(sim+"/audit/oauth.html", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), api+"/api/v1/oauth/oceanengine/callback?") {
		t.Fatalf("consent redirect %q (%d)", resp.Header.Get("Location"), resp.StatusCode)
	}
	var bound struct {
		AuthorizationID int64   `json:"authorization_id"`
		Advertisers     []int64 `json:"advertisers"`
	}
	if st := browser.call("GET", loc.RequestURI(), "", &bound); st != 200 {
		t.Fatalf("callback: %d\n%s", st, apiProc.Output())
	}
	if len(bound.Advertisers) != leaves {
		t.Fatalf("bound %d advertisers, sandbox has %d", len(bound.Advertisers), leaves)
	}
	var page struct {
		Total int64 `json:"total"`
	}
	if st := c.call("GET", "/api/v1/advertisers?account_role=ADVERTISER", "", &page); st != 200 || page.Total != int64(leaves) {
		t.Fatalf("list: %d, total %d, want %d", st, page.Total, leaves)
	}
	// The worker's info/fund run (enqueued by the callback) fills in balances.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d struct {
			Balance *string `json:"balance"`
		}
		c.call("GET", fmt.Sprintf("/api/v1/advertisers/%d", bound.Advertisers[0]), "", &d)
		if d.Balance != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no balance after 30s\n%s", workerProc.Output())
		}
		time.Sleep(300 * time.Millisecond)
	}
	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", p.workerPort))
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"oceanengine_accounts_needing_reauth 0", "oceanengine_advertiser_balance_total_yuan", "oceanengine_advertisers_low_balance"} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("worker /metrics lacks %q", want)
		}
	}
	// Key rotation command against the same database.
	cmd := exec.CommandContext(ctx, p.server, "-c", "config/config.dev.yaml", "keys", "status")
	cmd.Dir = proctest.ModuleRoot(t)
	cmd.Env = append(cmd.Environ(), p.env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "key dev1: 1 token pair(s)") {
		t.Fatalf("keys status: %v\n%s", err, out)
	}
	for _, p := range []*proctest.Proc{apiProc, workerProc} {
		if strings.Contains(p.Output(), u.Query().Get("state")) || strings.Contains(p.Output(), loc.Query().Get("auth_code")) {
			t.Error("a process logged the OAuth state or auth code")
		}
	}
}
