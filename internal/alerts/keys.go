package alerts

import (
	"context"
	"fmt"
)

// ResealStore is what re-encrypting channel secrets needs of the store.
type ResealStore interface {
	// SealedChannelSecrets lists channels sealed under a key other than
	// activeKey, after afterID, ascending.
	SealedChannelSecrets(ctx context.Context, activeKey string, afterID int64, limit int) ([]SealedChannel, error)
	// ResealChannel replaces a channel's sealed secrets unless they changed
	// since they were read (changed false).
	ResealChannel(ctx context.Context, id int64, oldKeyID, keyID string, secrets []byte) (changed bool, err error)
}

// Reseal re-encrypts the secrets of every channel sealed under another
// key than keys' active one (key rotation: `server keys rotate`), and
// returns how many it did (or, with dryRun, would do).
func Reseal(ctx context.Context, store ResealStore, keys Sealer, dryRun bool) (int, error) {
	n := 0
	var after int64
	for {
		chs, err := store.SealedChannelSecrets(ctx, keys.ActiveKeyID(), after, 100)
		if err != nil || len(chs) == 0 {
			return n, err
		}
		for _, c := range chs {
			after = c.ID
			plain, err := keys.Open(c.Secrets, channelAAD(c.ID))
			if err != nil {
				return n, fmt.Errorf("alerts: channel %d secrets (key %s): %w", c.ID, c.KeyID, err)
			}
			if dryRun {
				n++
				continue
			}
			sealed, err := keys.Seal(plain, channelAAD(c.ID))
			if err != nil {
				return n, err
			}
			changed, err := store.ResealChannel(ctx, c.ID, c.KeyID, keys.ActiveKeyID(), sealed)
			if err != nil {
				return n, err
			}
			if changed {
				n++
			}
		}
	}
}
