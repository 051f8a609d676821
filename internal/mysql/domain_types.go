package mysql

import "github.com/oceanops/adplatform/internal/domain"

// The domain types the store reads and writes are declared in
// internal/domain; these names keep the store's code and its callers
// unchanged while they move there.

type Advertiser = domain.Advertiser

type AdvertiserFilter = domain.AdvertiserFilter

type AdvertiserSyncState = domain.AdvertiserSyncState
type PlatformError = domain.PlatformError

const RoleAdvertiser = domain.RoleAdvertiser

type Authorization = domain.Authorization

type ReauthAccount = domain.ReauthAccount

const AuthActive = domain.AuthActive

const AuthNeedsReauth = domain.AuthNeedsReauth

const AuthRevoked = domain.AuthRevoked

// AuthLeftGrant is domain.AuthLeftGrant.
const AuthLeftGrant = domain.AuthLeftGrant

type BackgroundJob = domain.BackgroundJob

type NewBackgroundJob = domain.NewBackgroundJob

type BackgroundJobFilter = domain.BackgroundJobFilter

type JobProgress = domain.JobProgress

const JobCanceled = domain.JobCanceled

const JobFailed = domain.JobFailed

const JobQueued = domain.JobQueued

const JobRunning = domain.JobRunning

const JobSucceeded = domain.JobSucceeded

type Balances = domain.Balances

type IdempotencyClaim = domain.IdempotencyClaim

type IdempotencyClaimResult = domain.IdempotencyClaimResult

const IdempotencyDone = domain.IdempotencyDone

const IdempotencyInProgress = domain.IdempotencyInProgress

type Guardrail = domain.Guardrail

const GuardrailAll = domain.GuardrailAll

const GuardrailRole = domain.GuardrailRole

const GuardrailUser = domain.GuardrailUser

type ExportListItem = domain.ExportListItem

type ExportFile = domain.ExportFile

type NewExportFile = domain.NewExportFile

const ExportComplete = domain.ExportComplete

type SyncStatusFilter = domain.SyncStatusFilter

type AdvertiserSyncStatus = domain.AdvertiserSyncStatus

type StreamFreshness = domain.StreamFreshness

type SyncTarget = domain.SyncTarget

type AdChange = domain.AdChange

type AdChangeFilter = domain.AdChangeFilter

type ChangeValue = domain.ChangeValue

type LowBalance = domain.LowBalance

type IdempotencyRecord = domain.IdempotencyRecord

type SyncState = domain.SyncState
