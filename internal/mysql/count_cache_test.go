package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

func insertAds(t *testing.T, db *mysql.DB, adv, first int64, n int) {
	t.Helper()
	for done := 0; done < n; {
		k := min(2000, n-done)
		var b strings.Builder
		b.WriteString("INSERT INTO oe_ads (id, advertiser_id, campaign_id, name, status, synced_at) VALUES ")
		for i := range k {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "(%d, %d, 1, 'ad', 'AD_STATUS_DELIVERY_OK', NOW(3))", first+int64(done+i), adv)
		}
		if _, err := db.ExecContext(context.Background(), b.String()); err != nil {
			t.Fatal(err)
		}
		done += k
	}
}

// Totals of at least 1,000 rows are reused for the TTL and recounted in the
// background after it (never answered older than twice the TTL), smaller
// ones are exact on every request; the page's rows are always fresh.
func TestListTotalsCachedWhenLargeAndRecountedBehind(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	clock := fakeclock.New(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	db.SetCountCacheTTL(5*time.Second, clock.Now)
	list := func(adv int64) (int64, int64) {
		t.Helper()
		es, total, err := db.ListEntities(ctx, auth.SystemScope(), report.EntityFilter{Kind: report.KindAds, AdvertiserIDs: []int64{adv},
			OrderBy: report.Order{Key: "id", Desc: true}, Limit: 1, Today: "2026-12-01"})
		if err != nil || len(es) != 1 {
			t.Fatalf("list: %d rows (%v)", len(es), err)
		}
		return total, es[0].ID
	}
	for _, adv := range []int64{1, 2} {
		if _, err := db.ExecContext(ctx, `INSERT INTO advertisers (id, name, status) VALUES (?, 'a', 'STATUS_ENABLE')`, adv); err != nil {
			t.Fatal(err)
		}
	}
	insertAds(t, db, 1, 1_000_000, 1_000)
	insertAds(t, db, 2, 5_000_000, 999)

	if total, _ := list(1); total != 1_000 {
		t.Fatalf("total %d, want 1000", total)
	}
	if total, _ := list(2); total != 999 {
		t.Fatalf("total %d, want 999", total)
	}
	insertAds(t, db, 1, 2_000_000, 1)
	insertAds(t, db, 2, 6_000_000, 1)
	total, newest := list(1)
	if total != 1_000 || newest != 2_000_000 {
		t.Fatalf("within the TTL: total %d, newest %d; want the cached 1000 and the fresh newest row 2000000", total, newest)
	}
	if total, _ := list(2); total != 1_000 {
		t.Fatalf("small total %d, want 1000 (999 was never cached)", total)
	}
	// After the TTL the old total is still answered once while it is
	// counted again in the background; then the new one is.
	clock.Advance(5 * time.Second)
	if total, _ := list(1); total != 1_000 {
		t.Fatalf("just after the TTL: total %d, want the old 1000 while it is recounted", total)
	}
	db.WaitCacheRefreshes()
	if total, _ := list(1); total != 1_001 {
		t.Fatalf("after the recount: total %d, want 1001", total)
	}
	// A total older than twice the TTL is never answered: the request counts.
	insertAds(t, db, 1, 3_000_000, 1)
	clock.Advance(10 * time.Second)
	if total, _ := list(1); total != 1_002 {
		t.Fatalf("after twice the TTL: total %d, want 1002", total)
	}
}
