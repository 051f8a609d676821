package mysql_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// readOnlyUser creates a MySQL user allowed only SELECT on database and
// returns its DSN; the user is dropped at cleanup.
func readOnlyUser(t *testing.T, admin *mysql.DB, cfg mysqlConfig, database string) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	user, pw := "oo_ro_"+hex.EncodeToString(b[:]), "ro-"+hex.EncodeToString(b[:])+"-Secret"
	ctx := context.Background()
	for _, q := range []string{
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, pw),
		fmt.Sprintf("CREATE USER '%s'@'localhost' IDENTIFIED BY '%s'", user, pw),
		fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'%%'", database, user),
		fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'localhost'", database, user),
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%', '%s'@'localhost'", user, user))
	})
	return fmt.Sprintf("%s:%s@tcp(%s:%d)/%s", user, pw, cfg.host, cfg.port, database)
}

type mysqlConfig struct {
	host string
	port int
}

func dailyCost(t *testing.T, db *mysql.DB, adv int64) string {
	t.Helper()
	return mysqltest.Value[string](t, db, `SELECT CAST(COALESCE(SUM(cost), 0) AS CHAR) FROM report_daily WHERE advertiser_id = ?`, adv)
}

// TestReadReplicaServesReportReadsAndNeverWrites points database.read_dsn at
// a second database through a user with SELECT grants only: report reads
// answer from it (its figures differ from the primary's, so the answer
// shows where it was read), and every write still goes to the primary (a
// write through the read-only user fails, so one sent there would be seen).
func TestReadReplicaServesReportReadsAndNeverWrites(t *testing.T) {
	ctx := context.Background()
	primary, pcfg := mysqltest.NewWithConfig(t)
	replica, rcfg := mysqltest.NewWithConfig(t)
	const adv = int64(1_700_000_000_001)
	for _, db := range []*mysql.DB{primary, replica} {
		if _, err := db.ExecContext(ctx, `INSERT INTO advertisers (id, name, status) VALUES (?, '甲', 'STATUS_ENABLE')`, adv); err != nil {
			t.Fatal(err)
		}
	}
	fact := func(cost string) []mysql.ReportFact {
		return []mysql.ReportFact{{AdvertiserID: adv, Level: "advertiser", StatDate: "2026-11-20", EntityID: adv,
			Cost: decimal.RequireFromString(cost), Show: 100, Click: 7}}
	}
	if _, err := primary.UpsertDailyFacts(ctx, fact("1.00"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.UpsertDailyFacts(ctx, fact("2.00"), time.Now()); err != nil {
		t.Fatal(err)
	}

	dsn := readOnlyUser(t, primary, mysqlConfig{host: rcfg.Host, port: rcfg.Port}, rcfg.Database)
	if err := primary.AttachReader(ctx, dsn, pcfg); err != nil {
		t.Fatal(err)
	}
	// The grants are read-only indeed.
	if _, err := primary.Reader().ExecContext(ctx, `DELETE FROM report_daily`); err == nil || !strings.Contains(err.Error(), "1142") {
		t.Fatalf("a write through the read-only user answered %v, want error 1142 (command denied)", err)
	}

	spec, err := report.Params{Level: "advertiser", From: "2026-11-20", To: "2026-11-20"}.Spec()
	if err != nil {
		t.Fatal(err)
	}
	res, err := primary.QueryReport(ctx, auth.SystemScope(), spec, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := report.Money(res.Summary.Cost); got != "2.00" || len(res.Rows) != 1 {
		t.Fatalf("report summary %s (%d rows), want the replica's 2.00", got, len(res.Rows))
	}
	n, err := primary.CountReportRows(ctx, auth.SystemScope(), spec)
	if err != nil || n != 1 {
		t.Fatalf("count %d (%v), want 1 from the replica", n, err)
	}
	var streamed []string
	if _, _, err := primary.StreamReport(ctx, auth.SystemScope(), spec, 10, func(r report.Row) error {
		streamed = append(streamed, report.Money(r.Cost))
		return nil
	}); err != nil || len(streamed) != 1 || streamed[0] != "2.00" {
		t.Fatalf("streamed %v (%v), want [2.00] from the replica", streamed, err)
	}
	now := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC) // 15:00 Beijing
	if _, err := primary.DashboardOverview(ctx, auth.SystemScope(), nil, nil, now, 10); err != nil {
		t.Fatalf("dashboard on the replica: %v", err)
	}

	// Writes go to the primary: the upsert succeeds (it would be denied on
	// the replica) and changes the primary only.
	if _, err := primary.UpsertDailyFacts(ctx, fact("3.00"), time.Now()); err != nil {
		t.Fatalf("write with a replica attached: %v", err)
	}
	if got := dailyCost(t, primary, adv); got != "3.00" {
		t.Errorf("primary holds %s, want 3.00", got)
	}
	if got := dailyCost(t, replica, adv); got != "2.00" {
		t.Errorf("replica holds %s, want 2.00 (untouched)", got)
	}
	// Reads that must see their own writes (everything but reports) stay on the primary.
	var cost string
	if err := primary.QueryRowContext(ctx, `SELECT CAST(cost AS CHAR) FROM report_daily WHERE advertiser_id = ?`, adv).Scan(&cost); err != nil || cost != "3.00" {
		t.Errorf("primary read %s (%v), want 3.00", cost, err)
	}
}
