package domain

import (
	"github.com/shopspring/decimal"
)

// Balances is the balance picture of a data scope: the sum over bound leaf
// advertisers whose balance is known, how many there are, and the ones under
// the threshold (lowest first, at most the limit asked for).
type Balances struct {
	Total       decimal.Decimal
	Advertisers int
	LowCount    int
	Low         []LowBalance
}

// LowBalance is a bound advertiser whose balance is under a threshold.
type LowBalance struct {
	ID      int64
	Name    string
	Balance decimal.Decimal
}
