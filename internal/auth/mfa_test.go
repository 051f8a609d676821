package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestCodesAreReadAsTheyAreTyped(t *testing.T) {
	for in, want := range map[string]string{"123456": "123456", " 123 456 ": "123456", "12345": "", "1234567": "", "12a456": ""} {
		got, ok := totpCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("totpCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for in, want := range map[string]string{"7kq2m-x9d4f": "7kq2mx9d4f", "7KQ2M X9D4F": "7kq2mx9d4f", "7kq2mx9d4f": "7kq2mx9d4f",
		"7kq2m-x9d4": "", "0kq2m-x9d4f": "", "123456": ""} {
		got, ok := recoveryCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("recoveryCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestRecoveryCodesAreDistinctAndReadable(t *testing.T) {
	codes, hashes := newRecoveryCodes()
	seen := map[string]bool{}
	for i, c := range codes {
		rc, ok := recoveryCode(c)
		if !ok || len(c) != 11 || c[5] != '-' || seen[c] || string(hashRecoveryCode(rc)) != string(hashes[i]) {
			t.Fatalf("code %d %q: readable %v, seen %v", i, c, ok, seen[c])
		}
		seen[c] = true
		if strings.ContainsAny(c, "01ilo") {
			t.Fatalf("code %q has a look-alike character", c)
		}
	}
}

// TestCodesOfTheNeighbouringStepsMatch: a phone's clock may be one step
// off either way, no more; the step found is the code's own.
func TestCodesOfTheNeighbouringStepsMatch(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2026, 12, 5, 12, 0, 15, 0, time.UTC)
	step := now.Unix() / mfaPeriod
	for offset, want := range map[int64]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		code, err := totp.GenerateCode(secret, now.Add(time.Duration(offset*mfaPeriod)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := matchStep(secret, code, now)
		if ok != want || (ok && got != step+offset) {
			t.Errorf("code of step %+d: step %d, %v; want %v at %d", offset, got, ok, want, step+offset)
		}
	}
}
