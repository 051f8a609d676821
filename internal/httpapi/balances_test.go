package httpapi

import (
	"net/http"
	"sort"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
)

// TestBalances: the exact total and the low-balance list of the caller's
// bound advertisers, against the sandbox's own balances; a viewer sees only
// the advertisers assigned to them; a bad threshold answers 422.
func TestBalances(t *testing.T) {
	b, admin, bound := setupBoundAccounts(t)
	type acct struct {
		id  int64
		fen int64
	}
	var accts []acct
	var totalFen int64
	for _, id := range bound.Advertisers {
		a, ok := b.ts.Sim.World().Account(id)
		if !ok {
			t.Fatalf("sandbox has no account %d", id)
		}
		accts = append(accts, acct{id, a.BalanceFen})
		totalFen += a.BalanceFen
	}
	sort.Slice(accts, func(i, j int) bool {
		return accts[i].fen < accts[j].fen || accts[i].fen == accts[j].fen && accts[i].id < accts[j].id
	})
	// A threshold just above the third lowest balance: three advertisers are low.
	threshold := decimal.New(accts[2].fen+1, -2)

	r := b.do(t, req{method: "GET", path: "/api/v1/dashboard/balances?limit=2&threshold=" + threshold.StringFixed(2), token: admin.AccessToken})
	got := okData[balancesResponse](t, r, "balances")
	if want := decimal.New(totalFen, -2).StringFixed(2); got.Total != want || got.Advertisers != len(accts) {
		t.Errorf("total %s over %d advertisers, want %s over %d", got.Total, got.Advertisers, want, len(accts))
	}
	if got.LowCount != 3 || len(got.Low) != 2 || got.Low[0].ID != accts[0].id || got.Low[1].ID != accts[1].id ||
		got.Low[0].Balance != decimal.New(accts[0].fen, -2).StringFixed(2) || got.Threshold != threshold.StringFixed(2) {
		t.Errorf("low balances %+v, want 3 low and the two lowest %d, %d listed", got, accts[0].id, accts[1].id)
	}

	// A viewer assigned one advertiser sees its balance only.
	_, viewer := b.signUp(t, admin.AccessToken, "vera", "Violet-Compass-905", []string{auth.RoleViewer}, accts[5].id)
	r = b.do(t, req{method: "GET", path: "/api/v1/dashboard/balances", token: viewer.AccessToken})
	r.data(t, &got)
	if r.status != http.StatusOK || got.Advertisers != 1 || got.Total != decimal.New(accts[5].fen, -2).StringFixed(2) || got.Threshold != "1000.00" {
		t.Errorf("viewer: %d %s, want only advertiser %d", r.status, r.raw, accts[5].id)
	}

	for _, q := range []string{"?threshold=abc", "?threshold=-1", "?threshold=1.234", "?limit=101"} {
		if r := b.do(t, req{method: "GET", path: "/api/v1/dashboard/balances" + q, token: admin.AccessToken}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", q, r.status, r.raw)
		}
	}
	if r := b.do(t, req{method: "GET", path: "/api/v1/dashboard/balances"}); r.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", r.status)
	}
}
