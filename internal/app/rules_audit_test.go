package app

import (
	"errors"
	"testing"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/rules"
)

// The audit entry of a rule's change says how it ended: applied, refused
// by a guard rail or the platform (failure), refused for the owner's scope
// or role (denied), or not known.
func TestRuleAuditEntryOutcomes(t *testing.T) {
	ch := rules.Change{Level: rules.LevelProject, ObjectID: 7001, Field: "cpa_bid", Value: "12.50", RuleID: 42,
		RuleName: "lower bids", Owner: auth.Principal{UserID: 3}, RequestID: "rule-42-1764928800"}
	tests := []struct {
		name    string
		res     rules.ChangeResult
		err     error
		result  string
		details map[string]any
	}{
		{"applied", rules.ChangeResult{Status: rules.ActionSucceeded, ChangeID: 9, After: "12.50"}, nil, auth.ResultSuccess,
			map[string]any{"change_id": int64(9), "after": "12.50"}},
		{"refused by the platform", rules.ChangeResult{Status: rules.ActionFailed, ChangeID: 10, Error: "bid too low"}, nil, auth.ResultFailure,
			map[string]any{"change_id": int64(10), "outcome": rules.ActionFailed, "message": "bid too low"}},
		{"outcome unknown", rules.ChangeResult{Status: rules.ActionUnknown, ChangeID: 11}, nil, auth.ResultFailure,
			map[string]any{"outcome": rules.ActionUnknown}},
		{"refused by a guard rail", rules.ChangeResult{}, apperr.Validation(apperr.Field("cpa_bid", "over the guard rail")), auth.ResultFailure,
			map[string]any{"error": string(apperr.KindValidation)}},
		{"object outside the owner's scope", rules.ChangeResult{}, apperr.NotFound("project"), auth.ResultDenied,
			map[string]any{"error": string(apperr.KindNotFound)}},
		{"owner's role may not", rules.ChangeResult{}, apperr.Forbidden("no ad:write").WithReason("missing_permission"), auth.ResultDenied,
			map[string]any{"error": string(apperr.KindForbidden), "reason": "missing_permission"}},
		{"database down", rules.ChangeResult{}, errors.New("dial tcp: refused"), auth.ResultFailure,
			map[string]any{"error": string(apperr.KindInternal), "message": "dial tcp: refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ruleAuditEntry(ch, tt.res, tt.err)
			if e.ActorType != auth.ActorRule || e.ActorID != 0 || e.ActorName != "rule:42 lower bids" || e.Action != "project.update_bid" ||
				e.TargetType != "project" || e.TargetID != "7001" || e.RequestID != ch.RequestID {
				t.Fatalf("entry %+v", e)
			}
			if e.Result != tt.result {
				t.Errorf("result %q, want %q", e.Result, tt.result)
			}
			if e.Detail["rule_id"] != int64(42) || e.Detail["on_behalf_of"] != int64(3) || e.Detail["field"] != "cpa_bid" || e.Detail["value"] != "12.50" {
				t.Errorf("detail %v", e.Detail)
			}
			for k, v := range tt.details {
				if e.Detail[k] != v {
					t.Errorf("detail[%s] = %v, want %v (%v)", k, e.Detail[k], v, e.Detail)
				}
			}
			if tt.err != nil && e.Detail["message"] != tt.err.Error() {
				t.Errorf("message %q, want the error %q", e.Detail["message"], tt.err)
			}
		})
	}
}
