package rules

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzSpec decodes arbitrary JSON as a rule definition: decoding,
// normalizing and validating never panic, and a spec Validate accepts
// evaluates, plans and schedules without panic.
func FuzzSpec(f *testing.F) {
	seeds := []Spec{valid()}
	for _, tpl := range Templates() {
		if s, err := FromTemplate(tpl.Name, nil); err == nil {
			seeds = append(seeds, s)
		}
	}
	for _, s := range seeds {
		b, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","scope":{"level":"ad"},"match":"any","conditions":[{"metric":"cost","window":{"kind":"last_hours","n":72},"op":"gte","value":"1e3"}],` +
		`"schedule":{"times":["09:00","23:59"],"day_parts":[{"from":"22:00","to":"02:00"}]},"actions":[{"type":"raise_budget","by_pct":"10"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Spec
		if json.Unmarshal(b, &s) != nil {
			return
		}
		s.Normalize()
		if len(Validate(s)) > 0 {
			return
		}
		o := object()
		o.Level = s.Scope.Level
		Plan(s, []Object{o, {Level: s.Scope.Level, ID: 8}}, Facts{o.ID: fixture()}, at, NewState())
		s.Schedule.Slots(at.Add(-48*time.Hour), at)
		s.Schedule.Latest(at)
		s.HistoryDays()
		s.FreshAfter(at)
		s.NeedsToday()
	})
}
