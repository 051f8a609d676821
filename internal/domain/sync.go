package domain

import (
	"time"
)

// SyncStatusFilter selects advertisers for ListSyncStatus.
type SyncStatusFilter struct {
	AdvertiserID int64
	// AdvertiserIDs, when not empty, keeps only these advertisers (ids
	// outside the scope or not leaf advertisers are simply not listed).
	AdvertiserIDs []int64
	// ClientID, when not 0, keeps the accounts of that client.
	ClientID int64
	// Failing keeps advertisers with at least one stream whose last run failed.
	Failing bool
	// Streams are the streams LaggingBefore and Attention look at.
	Streams []string
	// LaggingBefore, when not zero, keeps the syncable advertisers with one
	// of Streams whose data is older than it (the last success, or the bind
	// time for a stream never synced).
	LaggingBefore time.Time
	// Attention keeps the syncable advertisers with a failing stream or,
	// when LaggingBefore is set, a lagging one.
	Attention bool
	Limit     int
	Offset    int
}

// AdvertiserSyncStatus is one leaf advertiser with the state of its streams.
type AdvertiserSyncStatus struct {
	AdvertiserID int64
	Name         string
	Syncable     bool
	// DataSince is when the advertiser was bound (or created): the age of
	// the data of a stream never synced.
	DataSince time.Time
	States    map[string]SyncState
}

// StreamFreshness summarises one stream over a set of syncable advertisers.
type StreamFreshness struct {
	Stream string
	// Advertisers is the number of syncable advertisers; Synced those with a
	// successful run; Failing those whose last run failed.
	Advertisers, Synced, Failing int
	// Oldest is the oldest "data as of" time among them: the last success,
	// or for an advertiser never synced the time it was bound (or created).
	// Nil when there are no advertisers.
	Oldest *time.Time
	// Newest is the most recent last success (nil when none).
	Newest *time.Time
}

// SyncTarget is an advertiser as the sync endpoints see it.
type SyncTarget struct {
	ID   int64
	Name string
	// Syncable is false when the account is not a leaf advertiser, syncs are
	// switched off, or its authorisation is missing or not active.
	Syncable bool
}

// SyncState is a row of sync_state: what the mirror knows about one stream
// of one advertiser.
type SyncState struct {
	AdvertiserID int64
	AdvertiserSyncState
	UpdatedAt time.Time
}
