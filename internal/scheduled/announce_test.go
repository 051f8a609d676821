package scheduled

import (
	"errors"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

func TestSummaryTellsWhatHappened(t *testing.T) {
	at := time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC) // 00:00 Beijing the next day
	c := Change{ID: 7, Kind: "ad", Field: "budget", RunAt: at, Note: "新的一天", CreatedByName: "alice", Status: StatusPartial}
	items := []Item{{EntityID: 1, Value: "800.00", Result: ResultSucceeded}, {EntityID: 2, Value: "800.00", Result: ResultFailed, Error: "预算低于今日消耗的105%"}}
	want := "alice 计划于 2026-12-07 00:00（北京时间）将 2 个广告计划的预算改为 800.00 元（新的一天）。成功 1，失败 1，结果未知 0；2：预算低于今日消耗的105%"
	if got := summary(c, items); got != want {
		t.Errorf("summary\n got %s\nwant %s", got, want)
	}
	items[1].Value = "900.00"
	c.Note, c.Error = "", "refused when it ran: ids[0].budget: too low"
	want = "alice 计划于 2026-12-07 00:00（北京时间）将 2 个广告计划的预算改为 各自设定的值。refused when it ran: ids[0].budget: too low"
	if got := summary(c, items); got != want {
		t.Errorf("summary with its own values\n got %s\nwant %s", got, want)
	}
	c.Field = "status"
	if got := summary(c, []Item{{EntityID: 3, Value: "disable"}}); got != "alice 计划于 2026-12-07 00:00（北京时间）将 1 个广告计划的状态改为 暂停。refused when it ran: ids[0].budget: too low" {
		t.Errorf("a status in words: %s", got)
	}
}

func TestRefusalNamesEachField(t *testing.T) {
	err := apperr.Validation(apperr.Field("ids[0].budget", "too low").Because("min"), apperr.Field("ids[1].budget", "too high").Because("max"))
	if got := refusal(err); got != "refused when it ran: ids[0].budget: too low; ids[1].budget: too high" {
		t.Errorf("refusal %q", got)
	}
	if got := refusal(errors.New("conflict: a change is in flight")); got != "conflict: a change is in flight" {
		t.Errorf("refusal %q", got)
	}
}
