// Package tokencrypt encrypts secrets at rest (OceanEngine access and refresh
// tokens) with AES-256-GCM under named keys, so keys can rotate: every
// ciphertext carries the id of the key that sealed it, new ciphertexts use
// the active key, and old ones stay readable while their key is configured.
//
// Ciphertext layout (binary, stored in VARBINARY columns):
//
//	0x01 | len(keyID) (1 byte) | keyID | nonce (12 bytes) | AES-GCM ciphertext and tag
//
// Callers pass associated data naming where a ciphertext lives (e.g.
// "oe_authorizations/42/access"), so a ciphertext copied into another row or
// column does not decrypt.
package tokencrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oceanops/adplatform/internal/config"
)

const (
	formatV1  = 0x01
	keySize   = 32
	nonceSize = 12
	// MaxKeyIDLen bounds key ids (they are stored in every ciphertext).
	MaxKeyIDLen = 32
)

// Errors of the package.
var (
	// ErrNoActiveKey: no key is configured for encryption (crypto.active_key).
	ErrNoActiveKey = errors.New("tokencrypt: no active key (set crypto.keys and crypto.active_key)")
	// ErrUnknownKey: the ciphertext names a key that is not configured.
	ErrUnknownKey = errors.New("tokencrypt: ciphertext sealed with a key that is not configured")
	// ErrMalformed: the bytes are not a ciphertext of this package.
	ErrMalformed = errors.New("tokencrypt: malformed ciphertext")
	// ErrDecrypt: authentication failed (wrong key, tampered bytes or wrong associated data).
	ErrDecrypt = errors.New("tokencrypt: ciphertext does not authenticate")
)

// Keyring holds the configured keys. It is immutable and safe for concurrent use.
type Keyring struct {
	aeads  map[string]cipher.AEAD
	active string
}

// New builds a keyring from raw 32-byte keys by id; active names the key
// that seals new ciphertexts ("" makes a keyring that can only open).
func New(keys map[string][]byte, active string) (*Keyring, error) {
	k := &Keyring{aeads: make(map[string]cipher.AEAD, len(keys)), active: active}
	for id, raw := range keys {
		if id == "" || len(id) > MaxKeyIDLen || strings.ContainsAny(id, "=, \t\n") {
			return nil, fmt.Errorf("tokencrypt: key id %q must be 1-%d characters without '=', ',' or spaces", id, MaxKeyIDLen)
		}
		if len(raw) != keySize {
			return nil, fmt.Errorf("tokencrypt: key %q is %d bytes, want %d", id, len(raw), keySize)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("tokencrypt: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("tokencrypt: key %q: %w", id, err)
		}
		k.aeads[id] = aead
	}
	if active != "" {
		if _, ok := k.aeads[active]; !ok {
			return nil, fmt.Errorf("tokencrypt: active key %q is not among the keys", active)
		}
	}
	return k, nil
}

// FromConfig builds the keyring of the crypto config section (base64 keys).
// It fails with ErrNoActiveKey when no active key is set.
func FromConfig(c config.Crypto) (*Keyring, error) {
	if c.ActiveKey == "" {
		return nil, ErrNoActiveKey
	}
	keys := make(map[string][]byte, len(c.Keys))
	for id, b64 := range c.Keys {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("tokencrypt: crypto.keys.%s is not base64", id)
		}
		keys[id] = raw
	}
	return New(keys, c.ActiveKey)
}

// ActiveKeyID is the id of the key that seals new ciphertexts.
func (k *Keyring) ActiveKeyID() string { return k.active }

// KeyIDs lists the configured key ids, sorted.
func (k *Keyring) KeyIDs() []string {
	return slices.Sorted(maps.Keys(k.aeads))
}

// Seal encrypts plaintext under the active key with a fresh random nonce,
// authenticating aad (which is not stored).
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	if k.active == "" {
		return nil, ErrNoActiveKey
	}
	aead := k.aeads[k.active]
	out := make([]byte, 0, 2+len(k.active)+nonceSize+len(plaintext)+aead.Overhead())
	out = append(out, formatV1, byte(len(k.active)))
	out = append(out, k.active...)
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("tokencrypt: nonce: %w", err)
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, aad), nil
}

// Open decrypts a ciphertext of Seal with the key it names.
func (k *Keyring) Open(ciphertext, aad []byte) ([]byte, error) {
	id, body, err := split(ciphertext)
	if err != nil {
		return nil, err
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w (key id %q)", ErrUnknownKey, id)
	}
	if len(body) < nonceSize+aead.Overhead() {
		return nil, ErrMalformed
	}
	pt, err := aead.Open(nil, body[:nonceSize], body[nonceSize:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// KeyID returns the id of the key that sealed ciphertext.
func KeyID(ciphertext []byte) (string, error) {
	id, _, err := split(ciphertext)
	return id, err
}

// NeedsRotation reports whether ciphertext was sealed with a key other than
// the active one.
func (k *Keyring) NeedsRotation(ciphertext []byte) bool {
	id, err := KeyID(ciphertext)
	return err != nil || id != k.active
}

func split(ct []byte) (keyID string, body []byte, err error) {
	if len(ct) < 2 || ct[0] != formatV1 {
		return "", nil, ErrMalformed
	}
	n := int(ct[1])
	if n == 0 || len(ct) < 2+n {
		return "", nil, ErrMalformed
	}
	return string(ct[2 : 2+n]), ct[2+n:], nil
}
