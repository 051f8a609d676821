package config

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
)

// devSecrets are the secret values the repository ships for development
// (config/config.dev.yaml, docker-compose.yml). They are public, so release
// mode refuses them; a test keeps this list equal to what those files hold.
var devSecrets = []string{
	"dev-only-jwt-secret-change-me-0123456789abcdef", // jwt.secret
	"sim-secret", // oceanengine.secret (the sandbox's)
	"ZGV2LW9ubHktdG9rZW4ta2V5LTMyLWJ5dGVzLWxvbmc=", // crypto.keys.dev1
}

// SecretsError names every secret that release mode refuses, never a value.
type SecretsError struct {
	// Problems are "key: why" in key order.
	Problems []string
}

func (e *SecretsError) Error() string {
	return "config: release mode refuses weak or development secrets: " + strings.Join(e.Problems, "; ")
}

// Keys lists the offending keys.
func (e *SecretsError) Keys() []string {
	out := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		k, _, _ := strings.Cut(p, ":")
		out = append(out, k)
	}
	return out
}

// isDevSecret reports whether v is one of the shipped development values;
// a crypto key also matches by its decoded bytes (other base64 spellings).
func isDevSecret(v string) bool {
	if slices.Contains(devSecrets, v) {
		return true
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return false
	}
	for _, d := range devSecrets {
		if dr, err := base64.StdEncoding.DecodeString(d); err == nil && len(dr) > 0 && string(dr) == string(raw) {
			return true
		}
	}
	return false
}

// validateReleaseSecrets refuses, in release mode, a JWT secret, a token
// encryption key or an OceanEngine app secret that is a shipped development
// value or shorter than its minimum. Missing secrets are left to the
// sections' own checks (they say "is required").
func (c *Config) validateReleaseSecrets() error {
	if !c.Release() {
		return nil
	}
	var problems []string
	check := func(key, v string, minBytes int) {
		switch {
		case v == "":
		case isDevSecret(v):
			problems = append(problems, key+": is a development value shipped with the repository")
		case len(v) < minBytes:
			problems = append(problems, fmt.Sprintf("%s: is shorter than %d bytes", key, minBytes))
		}
	}
	check("jwt.secret", c.JWT.Secret, MinJWTSecretBytes)
	check("oceanengine.secret", c.OceanEngine.Secret, MinOceanEngineSecretBytes)
	ids := make([]string, 0, len(c.Crypto.Keys))
	for id := range c.Crypto.Keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		check("crypto.keys."+id, c.Crypto.Keys[id], 0) // the length is checked by validateCrypto
	}
	if len(problems) > 0 {
		return &SecretsError{Problems: problems}
	}
	return nil
}
