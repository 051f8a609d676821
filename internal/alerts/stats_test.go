package alerts

import (
	"math"
	"testing"
)

func TestPoissonCDF(t *testing.T) {
	for _, c := range []struct {
		k      int64
		lambda float64
		want   float64
	}{
		{0, 1, math.Exp(-1)},
		{2, 3, math.Exp(-3) * (1 + 3 + 4.5)},
		{20, 50, 1.2351872e-06},  // a collapse no noise explains
		{45, 50, 0.26686647},     // within noise
		{1000, 1000, 0.50840937}, // large λ does not underflow
		{-1, 5, 0},
		{3, 0, 1},
	} {
		got := poissonCDF(c.k, c.lambda)
		if math.Abs(got-c.want) > c.want*0.01+1e-12 {
			t.Errorf("P(X ≤ %d | λ=%g) = %g, want %g", c.k, c.lambda, got, c.want)
		}
	}
}
