package domain

import "time"

// Client is the agency's grouping of advertiser accounts: a brand or
// customer that has several accounts. An account belongs to at most one
// client; reports filter and group by it.
type Client struct {
	ID   int64
	Name string
	Note string
	// Advertisers counts the client's accounts within the reader's scope.
	Advertisers int
	// Users counts the users given the client (its accounts are in their scope).
	Users     int
	CreatedBy int64 // 0 when unknown
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ClientInput is what a user sets on a client.
type ClientInput struct {
	Name string
	Note string
}
