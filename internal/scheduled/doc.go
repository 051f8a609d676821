// Package scheduled holds scheduled changes: an ad operations request (one
// kind, one field, 1–100 entities) made later by the worker, as the user
// who scheduled it. It checks a change when it is scheduled (through the
// Changer, which knows ad operations' rules), lists, shows, moves (a new
// time or note) and cancels scheduled changes within a user's data scope,
// and makes the due ones (RunDue): each is claimed in storage with a lease, so one worker makes
// it; a worker taking over a lease that ran out resumes it under the same
// claim. See docs/ad-operations.md#scheduled-changes.
package scheduled
