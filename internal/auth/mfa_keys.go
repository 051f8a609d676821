package auth

import (
	"context"
	"fmt"
)

// SealedSecret is a user's sealed two-step verification secret.
type SealedSecret struct {
	UserID int64
	Secret []byte
}

// ResealStore is what moving the secrets to a new key needs of the store.
type ResealStore interface {
	// MFASecrets lists the stored secrets (on or waiting) of users after
	// afterID, ascending by user id.
	MFASecrets(ctx context.Context, afterID int64, limit int) ([]SealedSecret, error)
	// ResealMFASecret replaces a user's secret unless it changed since it
	// was read (false then).
	ResealMFASecret(ctx context.Context, userID int64, old, sealed []byte) (bool, error)
}

// KeyRing is a Sealer that tells its active key and which ciphertexts
// another key sealed (implemented by internal/tokencrypt.Keyring).
type KeyRing interface {
	Sealer
	ActiveKeyID() string
	NeedsRotation(ciphertext []byte) bool
}

// ResealMFASecrets re-encrypts every two-step verification secret sealed
// under another key than keys' active one (key rotation: `server keys
// rotate`), and returns how many it did (or, with dryRun, would do).
func ResealMFASecrets(ctx context.Context, store ResealStore, keys KeyRing, dryRun bool) (int, error) {
	n := 0
	var after int64
	for {
		secrets, err := store.MFASecrets(ctx, after, 100)
		if err != nil || len(secrets) == 0 {
			return n, err
		}
		for _, s := range secrets {
			after = s.UserID
			if !keys.NeedsRotation(s.Secret) {
				continue
			}
			plain, err := keys.Open(s.Secret, secretAAD(s.UserID))
			if err != nil {
				return n, fmt.Errorf("auth: two-step verification secret of user %d: %w", s.UserID, err)
			}
			if dryRun {
				n++
				continue
			}
			sealed, err := keys.Seal(plain, secretAAD(s.UserID))
			if err != nil {
				return n, err
			}
			changed, err := store.ResealMFASecret(ctx, s.UserID, s.Secret, sealed)
			if err != nil {
				return n, err
			}
			if changed {
				n++
			}
		}
	}
}
