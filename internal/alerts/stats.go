package alerts

import "math"

// poissonCDF is P(X ≤ k) for X ~ Poisson(λ), summed in log space so large
// λ does not underflow.
func poissonCDF(k int64, lambda float64) float64 {
	if k < 0 {
		return 0
	}
	if lambda <= 0 {
		return 1
	}
	logL := math.Log(lambda)
	// log of each term: -λ + i·ln λ − ln i!
	maxLog := math.Inf(-1)
	terms := make([]float64, 0, k+1)
	for i := int64(0); i <= k; i++ {
		lg, _ := math.Lgamma(float64(i) + 1)
		t := -lambda + float64(i)*logL - lg
		terms = append(terms, t)
		maxLog = math.Max(maxLog, t)
	}
	var sum float64
	for _, t := range terms {
		sum += math.Exp(t - maxLog)
	}
	return math.Min(1, math.Exp(maxLog)*sum)
}
