package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/testenv"
)

func TestSystemQuotaShowsUsePerGroup(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword)
	_, olga := b.signUp(t, admin.AccessToken, "olga", "Quartz-Harbor-731", []string{auth.RoleOperator})
	ctx := context.Background()
	// A worker's client: three report requests, one refused as too frequent.
	oe := b.cfg.OceanEngine
	lim := testenv.Limiter(t, b.rdb, oceanengine.LimiterConfig{AppID: oe.AppID, QPS: 1000, Now: b.clock.Now})
	worker := oceanengine.NewUsageCounter(b.rdb, oe.AppID, b.clock.Now).Wrap(lim)
	for range 3 {
		if err := worker.Wait(ctx, oceanengine.GroupReport); err != nil {
			t.Fatal(err)
		}
	}
	worker.Penalize(ctx, oceanengine.GroupReport)

	get := func(token, query string) (resp, quotaResponse) {
		t.Helper()
		r := b.do(t, req{method: "GET", path: "/api/v1/system/quota" + query, token: token})
		return r, dataIfOK[quotaResponse](t, r)
	}
	group := func(q quotaResponse, name string) quotaGroupJSON {
		t.Helper()
		for _, g := range q.Groups {
			if g.Group == name {
				return g
			}
		}
		t.Fatalf("no group %s in %+v", name, q.Groups)
		return quotaGroupJSON{}
	}

	// Within the minute: the current minute has the requests, the report group is slowed down.
	r, q := get(admin.AccessToken, "?minutes=5")
	if r.status != http.StatusOK || q.Minutes != 5 || len(q.Groups) != len(oceanengine.Groups()) {
		t.Fatalf("quota: %d %s", r.status, r.raw)
	}
	rep := group(q, oceanengine.GroupReport)
	if len(rep.Minutes) != 6 || rep.Minutes[5].Sent != 3 || rep.Minutes[5].Refused != 1 || rep.LastMinute.Sent != 0 || rep.Window.Sent != 0 {
		t.Errorf("report now = %+v, want 3 sent and 1 refused in the current minute only", rep)
	}
	if rep.Factor >= 1 || rep.EffectiveQPS >= rep.QPS {
		t.Errorf("report factor = %v (effective %v of %v), want slowed down", rep.Factor, rep.EffectiveQPS, rep.QPS)
	}
	if rep.QPS != oe.QPS || rep.PerMinute != int64(oe.QPS*60) {
		t.Errorf("report qps = %v, per minute %d; want the configured %v", rep.QPS, rep.PerMinute, oe.QPS)
	}

	// A minute later those are the last finished minute; the slowdown has recovered.
	b.clock.Advance(time.Minute)
	_, q = get(admin.AccessToken, "")
	rep = group(q, oceanengine.GroupReport)
	if q.Minutes != 60 || len(rep.Minutes) != 61 {
		t.Fatalf("default window = %d minutes (%d points), want 60 (61)", q.Minutes, len(rep.Minutes))
	}
	wantPct := float64(int(3*1000/(oe.QPS*60))) / 10
	if rep.LastMinute.Sent != 3 || rep.LastMinute.Refused != 1 || rep.Window.Sent != 3 || rep.PeakMinute.Sent != 3 || rep.UsedPercent != wantPct || rep.Factor != 1 {
		t.Errorf("report a minute later = %+v, want last minute 3/1, %.1f%% used, factor 1", rep, wantPct)
	}
	if acc := group(q, oceanengine.GroupAccount); acc.Window.Sent != 0 || acc.UsedPercent != 0 {
		t.Errorf("account = %+v, want unused", acc)
	}

	if r, _ := get(olga.AccessToken, ""); r.status != http.StatusForbidden {
		t.Errorf("operator: %d, want 403", r.status)
	}
	if r, _ := get(admin.AccessToken, "?minutes=500"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("minutes=500: %d, want 422", r.status)
	}
}
