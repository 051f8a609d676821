package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that YAML and the environment may give either as
// a Go duration string ("30s", "2h") or as a bare integer number of seconds.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String prints the Go duration form.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalYAML prints the Go duration form.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if limit := int64(math.MaxInt64 / time.Second); n > limit || n < -limit {
			return 0, errors.New("is too long a duration (at most 9223372036 seconds, about 292 years)")
		}
		return time.Duration(n) * time.Second, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New(`is not a duration (use "30s", "2h" or seconds)`)
	}
	return v, nil
}
