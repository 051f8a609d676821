package mysqltest

import (
	"context"
	"fmt"
	"testing"
)

// TestSweepAgesDatabasesByTheServersClock: a database named a day and a
// minute before the server's now is swept, one named an hour before is not.
func TestSweepAgesDatabasesByTheServersClock(t *testing.T) {
	ctx := context.Background()
	db, _ := NewEmpty(t)
	var now int64
	if err := db.QueryRowContext(ctx, "SELECT UNIX_TIMESTAMP()").Scan(&now); err != nil {
		t.Fatal(err)
	}
	old := fmt.Sprintf("%s%d_sweeptest", prefix, now-24*3600-60)
	recent := fmt.Sprintf("%s%d_sweeptest", prefix, now-3600)
	for _, name := range []string{old, recent} {
		if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name) })
	}
	NewEmpty(t) // sweeps
	for name, want := range map[string]bool{old: false, recent: true} {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if (n == 1) != want {
			t.Errorf("%s exists: %v, want %v", name, n == 1, want)
		}
	}
}
