package alerts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/fakeclock"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/testenv"
)

// BenchmarkDigest builds the digest of a subscription over 1,000 bound
// advertisers, each with 30 days of advertiser-level and 20 ads' daily
// rows (630,000 rows in report_daily): what a scheduled cycle does per
// subscription whose time has come — daily (two days read) and weekly
// (fourteen).
//
//	go test ./internal/alerts/ -run XXX -bench BenchmarkDigest -benchtime 20x
func BenchmarkDigest(b *testing.B) {
	const advertisers, days, ads = 1000, 30, 20
	ctx := context.Background()
	db := mysqltest.New(b)
	clock := fakeclock.New(time.Date(2025, 6, 18, 9, 0, 0, 0, beijing))
	ids := make([]int64, advertisers)
	accounts := make([]mysql.DiscoveredAccount, advertisers)
	for i := range ids {
		ids[i] = 1_700_000_000_100_000 + int64(i)
		accounts[i] = mysql.DiscoveredAccount{ID: ids[i], Name: fmt.Sprintf("账户-%04d", i), AccountRole: mysql.RoleAdvertiser}
	}
	grant := testenv.Grant(b, db, ids, clock.Now())
	if _, err := db.BindAdvertisers(ctx, grant, accounts, mysql.BindClaim, clock.Now()); err != nil {
		b.Fatal(err)
	}
	var rows []string
	flush := func() {
		if len(rows) == 0 {
			return
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO report_daily (advertiser_id, level, stat_date, entity_id, cost, show_cnt,
			click_cnt, convert_cnt, synced_at) VALUES `+strings.Join(rows, ",")); err != nil {
			b.Fatal(err)
		}
		rows = rows[:0]
	}
	for i, adv := range ids {
		for d := 1; d <= days; d++ {
			date := clock.Now().In(beijing).AddDate(0, 0, -d).Format(time.DateOnly)
			rows = append(rows, fmt.Sprintf("(%d,'advertiser','%s',%d,%d.%02d,%d,%d,%d,NOW())", adv, date, adv, 1000+i, d, 50000, 1500, 40))
			for a := range ads {
				rows = append(rows, fmt.Sprintf("(%d,'ad','%s',%d,%d.00,2500,75,2,NOW())", adv, date, adv*100+int64(a), 50+a))
			}
			if len(rows) >= 2000 {
				flush()
			}
		}
		if err := db.AddReportCoverage(ctx, adv, "report_advertiser_daily", clock.Now().In(beijing).AddDate(0, 0, -days).Format(time.DateOnly),
			clock.Now().In(beijing).AddDate(0, 0, -1).Format(time.DateOnly), clock.Now()); err != nil {
			b.Fatal(err)
		}
	}
	flush()
	svc, err := alerts.New(alerts.Deps{Store: db, Facts: db, Reports: db, Keys: testenv.Keys(b), Now: clock.Now,
		Sender: channel.NewSender(channel.Options{AllowPrivateNetworks: true})}, alerts.Options{})
	if err != nil {
		b.Fatal(err)
	}
	admin := alerts.Actor{UserID: testenv.User(b, db, "root", auth.RoleAdmin), Username: "root", Scope: auth.Scope{All: true}, Manage: true}
	ch, err := svc.CreateChannel(ctx, admin, alerts.ChannelInput{Name: "ops", Enabled: true,
		Config: channel.Config{Type: channel.TypeWebhook, URL: "https://hooks.example.com/x", Secret: "benchmark-secret-0123"}})
	if err != nil {
		b.Fatal(err)
	}
	monday := 1
	for _, bc := range []struct {
		name    string
		weekday *int
	}{{"daily", nil}, {"weekly", &monday}} {
		sub, err := svc.CreateSubscription(ctx, admin, alerts.SubscriptionInput{ChannelIDs: []int64{ch.ID}, DigestAt: "09:00", DigestWeekday: bc.weekday, Enabled: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				d, err := svc.Digest(ctx, admin, sub.ID, "")
				if err != nil || d.Advertisers != advertisers || len(d.Accounts) != advertisers || len(d.Incomplete) != 0 {
					b.Fatalf("digest of %d advertisers, %d accounts, %d incomplete: %v", d.Advertisers, len(d.Accounts), len(d.Incomplete), err)
				}
			}
			b.ReportMetric(float64(advertisers)*float64(b.N)/b.Elapsed().Seconds(), "advertisers/s")
		})
	}
}
