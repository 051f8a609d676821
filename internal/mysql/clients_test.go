package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/rules"
)

// TestClientDeletionAndWhatNamesItMeanwhile: a rule or an alert
// subscription saved while its client is being deleted waits for the
// deletion and is then refused (client_missing), nothing stored; a deletion
// while a rule naming the client is being saved waits for it and is then
// refused (client_in_rules). The waits are observed in the server's
// process list, not timed.
func TestClientDeletionAndWhatNamesItMeanwhile(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	owner := mustCreateUser(t, db, "owner", auth.RoleAdmin)
	mysqltest.Exec(t, db, `INSERT INTO clients (id, name, created_at, updated_at) VALUES (1, 'K1', NOW(), NOW()), (2, 'K2', NOW(), NOW()), (3, 'K3', NOW(), NOW())`)
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT DATABASE()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	// waiting returns once a statement of this test's database ending in
	// lock (its locking clause) is running: it waits for a row another
	// transaction holds, as those statements return at once otherwise.
	waiting := func(lock string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.PROCESSLIST
				WHERE DB = ? AND COMMAND IN ('Query', 'Execute') AND INFO LIKE ?`, schema, "%"+lock).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				return
			}
		}
		t.Fatalf("no statement came to wait for the lock (%s)", lock)
	}
	// deleting holds client id's row as DeleteClient does, runs save, and
	// deletes the client once save waits for it.
	deleting := func(id int64, save func() error) error {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback() }()
		var held int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM clients WHERE id = ? FOR UPDATE`, id).Scan(&held); err != nil {
			t.Fatal(err)
		}
		saved := make(chan error, 1)
		go func() { saved <- save() }()
		waiting("LOCK IN SHARE MODE")
		if _, err := tx.ExecContext(ctx, `DELETE FROM clients WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return <-saved
	}
	missing := func(what string, err error, field string) {
		t.Helper()
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 || e.Fields[0].Field != field || e.Fields[0].Rule != "client_missing" {
			t.Fatalf("%s while its client went: %v, want client_missing on %s", what, err, field)
		}
	}
	count := func(table string) int {
		t.Helper()
		return len(mysqltest.Column[int64](t, db, `SELECT id FROM `+table))
	}

	spec := rules.Spec{Name: "of K1", Scope: rules.Scope{Level: rules.LevelAd, ClientIDs: []int64{3, 1}}}
	missing("a rule", deleting(1, func() error {
		_, err := db.CreateRule(ctx, owner.ID, spec, false, time.Now())
		return err
	}), "scope.client_ids[1]")
	sub := alerts.Subscription{Name: "K2 群", SubscriberType: alerts.SubscriberUser, UserID: owner.ID, MinSeverity: alerts.SeverityInfo,
		ClientIDs: []int64{2}, Enabled: true, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	missing("a subscription", deleting(2, func() error {
		_, err := db.CreateSubscription(ctx, sub)
		return err
	}), "client_ids")
	if n, m := count("rules"), count("alert_subscriptions"); n != 0 || m != 0 {
		t.Fatalf("%d rules and %d subscriptions stored naming deleted clients", n, m)
	}

	// The other way: a rule naming K3 is being saved (its transaction holds
	// K3) when the deletion comes; the deletion waits, then counts it.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	var held int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM clients WHERE id = 3 LOCK IN SHARE MODE`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO rules (owner_id, name, version, spec, enabled, created_at, updated_at) VALUES (?, 'of K3', 1, '{}', 0, NOW(), NOW())`, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	ruleID, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT INTO rule_scope (rule_id, list, level, ref_id) VALUES (?, 'client_ids', 'ad', 3)`, ruleID); err != nil {
		t.Fatal(err)
	}
	deleted := make(chan error, 1)
	go func() { deleted <- db.DeleteClient(ctx, 3) }()
	waiting("FOR UPDATE")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if e, ok := apperr.As(<-deleted); !ok || e.Reason != "client_in_rules" || e.Params["n"] != "1" {
		t.Fatalf("deleting a client a rule was being saved on: %v, want client_in_rules", e)
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clients WHERE id = 3`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("client 3 after the refused deletion: %d %v", left, err)
	}
}
