package tokencrypt_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/oceanops/adplatform/internal/config"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestSealOpenRoundTripAndLayout(t *testing.T) {
	k, err := tokencrypt.New(map[string][]byte{"k1": key(1)}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	pt := []byte("0123456789abcdef0123456789abcdef01234567")
	aad := []byte("oe_authorizations/1/access")
	ct, err := k.Seal(pt, aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, pt) {
		t.Fatal("ciphertext contains the plaintext")
	}
	if id, err := tokencrypt.KeyID(ct); err != nil || id != "k1" {
		t.Fatalf("KeyID = %q, %v; want k1", id, err)
	}
	got, err := k.Open(ct, aad)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	ct2, _ := k.Seal(pt, aad)
	if bytes.Equal(ct, ct2) {
		t.Fatal("two seals of the same plaintext are equal: nonce reuse")
	}
}

func TestOpenRejects(t *testing.T) {
	k, _ := tokencrypt.New(map[string][]byte{"k1": key(1), "k2": key(2)}, "k1")
	other, _ := tokencrypt.New(map[string][]byte{"k1": key(9)}, "k1")
	only2, _ := tokencrypt.New(map[string][]byte{"k2": key(2)}, "k2")
	aad := []byte("row/1/access")
	ct, _ := k.Seal([]byte("secret-token"), aad)
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name string
		ring *tokencrypt.Keyring
		ct   []byte
		aad  string
		want error
	}{
		{"wrong associated data (another row)", k, ct, "row/2/access", tokencrypt.ErrDecrypt},
		{"tampered tag", k, tampered, "row/1/access", tokencrypt.ErrDecrypt},
		{"same id, different key bytes", other, ct, "row/1/access", tokencrypt.ErrDecrypt},
		{"key not configured", only2, ct, "row/1/access", tokencrypt.ErrUnknownKey},
		{"empty", k, nil, "row/1/access", tokencrypt.ErrMalformed},
		{"plaintext bytes", k, []byte("0123456789abcdef"), "row/1/access", tokencrypt.ErrMalformed},
		{"truncated", k, ct[:8], "row/1/access", tokencrypt.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.ring.Open(tt.ct, []byte(tt.aad)); !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	old, _ := tokencrypt.New(map[string][]byte{"2025": key(1)}, "2025")
	ct, _ := old.Seal([]byte("tok"), nil)
	both, _ := tokencrypt.New(map[string][]byte{"2025": key(1), "2026": key(2)}, "2026")
	if !both.NeedsRotation(ct) {
		t.Fatal("ciphertext under the old key does not need rotation")
	}
	pt, err := both.Open(ct, nil)
	if err != nil {
		t.Fatalf("old ciphertext unreadable after adding a key: %v", err)
	}
	ct2, _ := both.Seal(pt, nil)
	if both.NeedsRotation(ct2) {
		t.Fatal("fresh ciphertext needs rotation")
	}
	if id, _ := tokencrypt.KeyID(ct2); id != "2026" {
		t.Fatalf("new ciphertext under %q, want 2026", id)
	}
	if got := both.KeyIDs(); len(got) != 2 || got[0] != "2025" || got[1] != "2026" {
		t.Fatalf("KeyIDs = %v", got)
	}
}

func TestNewAndFromConfigValidate(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString(key(3))
	tests := []struct {
		name    string
		cfg     config.Crypto
		wantErr bool
	}{
		{"ok", config.Crypto{Keys: map[string]string{"dev1": b64}, ActiveKey: "dev1"}, false},
		{"no active key", config.Crypto{Keys: map[string]string{"dev1": b64}}, true},
		{"active key missing", config.Crypto{Keys: map[string]string{"dev1": b64}, ActiveKey: "dev2"}, true},
		{"short key", config.Crypto{Keys: map[string]string{"dev1": base64.StdEncoding.EncodeToString(key(3)[:16])}, ActiveKey: "dev1"}, true},
		{"not base64", config.Crypto{Keys: map[string]string{"dev1": "!!!"}, ActiveKey: "dev1"}, true},
		{"bad id", config.Crypto{Keys: map[string]string{"a,b": b64}, ActiveKey: "a,b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tokencrypt.FromConfig(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("FromConfig error = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
	if _, err := tokencrypt.FromConfig(config.Crypto{}); !errors.Is(err, tokencrypt.ErrNoActiveKey) {
		t.Fatalf("empty config: %v, want ErrNoActiveKey", err)
	}
	ro, err := tokencrypt.New(map[string][]byte{"k": key(1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Seal([]byte("x"), nil); !errors.Is(err, tokencrypt.ErrNoActiveKey) {
		t.Fatalf("Seal without active key: %v", err)
	}
}

func BenchmarkSealOpen(b *testing.B) {
	k, _ := tokencrypt.New(map[string][]byte{"k1": key(1)}, "k1")
	pt := []byte("0123456789abcdef0123456789abcdef01234567")
	aad := []byte("oe_authorizations/1/access")
	for b.Loop() {
		ct, _ := k.Seal(pt, aad)
		if _, err := k.Open(ct, aad); err != nil {
			b.Fatal(err)
		}
	}
}
