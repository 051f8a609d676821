package mirror

import (
	"testing"
	"time"
)

// TestSyncMatchesTruthAndLookbackFixesLateConversions is acceptance 1: after
// a sync of a 24-advertiser world, every advertiser's rows at every level
// and day (daily: the look-back window and the settled day before it;
// hourly: today and yesterday) equal the sandbox's ground truth exactly.
// Then a day passes: conversions of the last days grow on the platform, the
// mirror is visibly behind, and the scheduled re-read of the look-back
// window makes it exact again — and the days read after they settled equal
// the final truth.
func TestSyncMatchesTruthAndLookbackFixesLateConversions(t *testing.T) {
	b := setup(t, nil)
	if err := b.syncAll(t, "bind"); err != nil {
		t.Fatal(err)
	}
	// Default look-back 3: today and 3 days, plus the settled day before.
	b.checkReports(t, b.day(-4), b.day(-1), b.day(0))
	if t.Failed() {
		return
	}
	if n := b.count(t, `SELECT COUNT(*) FROM report_daily WHERE level = 'ad'`); n < 200 {
		t.Fatalf("only %d ad-level daily rows: the world is too small to prove anything", n)
	}

	// A day and two hours later, conversions of the last days kept arriving.
	b.sim.Clock().Advance(26 * time.Hour)
	stale := 0
	for _, adv := range b.advs {
		for _, lv := range dailyLevels {
			stale += len(diff(b.mirrored(t, false, adv, lv, b.day(-3), b.day(-1)), b.truth(t, false, false, adv, lv, b.day(-3), b.day(-1))))
		}
	}
	if stale == 0 {
		t.Fatal("no late conversions arrived in a day: the test cannot show the look-back re-read")
	}
	t.Logf("%d daily rows in the look-back window changed on the platform after a day", stale)

	// The scheduled run (not forced) finds every stream due and re-reads.
	if err := b.syncAll(t, "schedule"); err != nil {
		t.Fatal(err)
	}
	b.checkReports(t, b.day(-4), b.day(-1), b.day(0))

	// Days read after their conversions settled equal the final truth:
	// 06-14 (settled at the first sync) and 06-15 (the settle read today).
	for _, adv := range b.advs {
		for _, lv := range dailyLevels {
			from, to := b.day(-5), b.day(-4)
			if d := diff(b.mirrored(t, false, adv, lv, from, to), b.truth(t, false, true, adv, lv, from, to)); len(d) > 0 {
				t.Errorf("advertiser %d level %s %s..%s vs final truth: %d differences, e.g. %s", adv, lv, from, to, len(d), d[0])
			}
		}
	}
}
