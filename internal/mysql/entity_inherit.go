package mysql

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Statuses the platform derives from a parent: an ad's status follows its
// campaign's, a creative's its ad's, a promotion's its project's, without
// the child's own modify time changing. The mirror must notice such changes
// without waiting for a full reconciliation; these reads tell the sync
// engine what to re-read.

// oeChildLinks maps a parent kind to its child table and the child's
// column naming the parent (constants, never input).
var oeChildLinks = map[string]struct{ table, parentCol string }{
	OEKindCampaign: {"oe_ads", "campaign_id"},
	OEKindAd:       {"oe_creatives", "ad_id"},
	OEKindProject:  {"oe_promotions", "project_id"},
}

// OEStatuses returns the mirrored status of the advertiser's entities of
// kind among ids (absent ids are not mirrored yet).
func (db *DB) OEStatuses(ctx context.Context, kind string, advertiserID int64, ids []int64) (map[int64]string, error) {
	table, ok := oeTables[kind]
	if !ok {
		return nil, fmt.Errorf("mysql: unknown entity kind %q", kind)
	}
	out := make(map[int64]string, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		if _, err := queryMap(ctx, db, out, table+" statuses",
			`SELECT id, status FROM `+table+` WHERE advertiser_id = ? AND id IN (`+placeholders(len(chunk))+`)`,
			append([]any{advertiserID}, int64Args(chunk)...)...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InheritedStatuses names, for one parent kind, the statuses that make a
// parent and its children contradict each other.
type InheritedStatuses struct {
	// ParentOff are the parent's paused or deleted statuses.
	ParentOff []string
	// ChildDelivering are the child's delivering statuses (impossible under
	// a parent that is off).
	ChildDelivering []string
	// ChildParentOff are the child's statuses saying its parent is off
	// (impossible under a parent that is not).
	ChildParentOff []string
}

// OEParentsContradictingChildren lists the advertiser's parents of kind
// (campaign, ad or project) with at least one live child whose status
// contradicts the parent's: a child delivering under a paused or deleted
// parent, or a child saying its parent is off while it is not. Such a
// mirror missed an inherited change (e.g. a re-read of the children that
// failed); the sync re-reads these parents' children.
func (db *DB) OEParentsContradictingChildren(ctx context.Context, kind string, advertiserID int64, s InheritedStatuses) ([]int64, error) {
	parent, ok := oeTables[kind]
	link, ok2 := oeChildLinks[kind]
	if !ok || !ok2 || len(s.ParentOff) == 0 {
		return nil, fmt.Errorf("mysql: no inherited statuses for kind %q", kind)
	}
	off := placeholders(len(s.ParentOff))
	var conds []string
	args := []any{advertiserID, advertiserID}
	if len(s.ChildDelivering) > 0 {
		conds = append(conds, "(p.status IN ("+off+") AND c.status IN ("+placeholders(len(s.ChildDelivering))+"))")
		args = append(append(args, strAny(s.ParentOff)...), strAny(s.ChildDelivering)...)
	}
	if len(s.ChildParentOff) > 0 {
		conds = append(conds, "(p.status NOT IN ("+off+") AND c.status IN ("+placeholders(len(s.ChildParentOff))+"))")
		args = append(append(args, strAny(s.ParentOff)...), strAny(s.ChildParentOff)...)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	q := `SELECT DISTINCT p.id FROM ` + parent + ` p JOIN ` + link.table + ` c ON c.` + link.parentCol + ` = p.id
		WHERE p.advertiser_id = ? AND c.advertiser_id = ? AND p.deleted_at IS NULL AND c.deleted_at IS NULL
		AND (` + strings.Join(conds, " OR ") + `) ORDER BY p.id`
	return queryAll(ctx, db, nil, parent+" contradicting children", scanOne[int64], q, args...)
}

func strAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
