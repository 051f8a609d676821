package alerts_test

import (
	"bytes"
	"testing"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// TestResealMovesChannelSecretsToTheActiveKey: after rotation the old key
// can be removed and channels still send.
func TestResealMovesChannelSecretsToTheActiveKey(t *testing.T) {
	f := newFixture(t)
	rcv, ch := f.hook(f.alice, "alice")
	both, err := tokencrypt.New(map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32), "k2": bytes.Repeat([]byte{8}, 32)}, "k2")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := alerts.Reseal(f.ctx, f.db, both, true); err != nil || n != 1 {
		t.Fatalf("dry run: %d %v", n, err)
	}
	if n, err := alerts.Reseal(f.ctx, f.db, both, false); err != nil || n != 1 {
		t.Fatalf("reseal: %d %v", n, err)
	}
	if n, err := alerts.Reseal(f.ctx, f.db, both, false); err != nil || n != 0 {
		t.Fatalf("second reseal: %d %v", n, err)
	}
	counts, err := f.db.ChannelKeyCounts(f.ctx)
	if err != nil || counts["k2"] != 1 || counts["k1"] != 0 {
		t.Fatalf("keys %v %v", counts, err)
	}
	onlyNew, _ := tokencrypt.New(map[string][]byte{"k2": bytes.Repeat([]byte{8}, 32)}, "k2")
	f.keys = onlyNew
	svc := f.service(alerts.Options{})
	res, err := svc.TestChannel(f.ctx, f.alice, ch.ID)
	if err != nil || !res.OK || len(rcv.Accepted()) != 1 {
		t.Fatalf("send with the new key only: %+v %v", res, err)
	}
}
