package scheduled

import (
	"errors"
	"strings"
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
	c.Status = StatusSucceeded
	if got := summary(c, []Item{items[0], {EntityID: 2, Value: "800.00", Result: ResultUnchanged}}); !strings.HasSuffix(got, "。成功 1，失败 0，结果未知 0，1 个已是该值（未修改）") {
		t.Errorf("summary with an item unchanged: %s", got)
	}
	items[1].Value = "900.00"
	c.Note, c.Refusal = "", refusal(apperr.Validation(apperr.Field("ids[0].budget", "too low").Because("budget_below_spend", "spend", "1000.00", "min", "1050.00")))
	want = "alice 计划于 2026-12-07 00:00（北京时间）将 2 个广告计划的预算改为 各自设定的值。执行时被拒绝：预算不能低于今日消耗 1,000.00 元的 105%，即至少 1,050.00 元"
	if got := summary(c, items); got != want {
		t.Errorf("summary with its own values\n got %s\nwant %s", got, want)
	}
	c.Field, c.Refusal = "status", refusal(apperr.Validation(apperr.Field("ids[0].status", "no such thing").Because("some_rule_of_later")))
	if got := summary(c, []Item{{EntityID: 3, Value: "disable"}}); got != "alice 计划于 2026-12-07 00:00（北京时间）将 1 个广告计划的状态改为 暂停。refused when it ran: ids[0].status: no such thing" {
		t.Errorf("a status in words, a refusal without words by its message: %s", got)
	}
}

func TestRefusalNamesEachField(t *testing.T) {
	err := apperr.Validation(apperr.Field("ids[0].budget", "too low").Because("min"), apperr.Field("ids[1].budget", "too high").Because("max"))
	if got := refusal(err); got.Message != "refused when it ran: ids[0].budget: too low; ids[1].budget: too high" ||
		got.Code != apperr.KindValidation || got.Reason != "min" {
		t.Errorf("refusal %+v", got)
	}
	if got := refusal(errors.New("mysql: connection refused")); got.Message != "mysql: connection refused" || got.Code != apperr.KindInternal {
		t.Errorf("refusal %+v", got)
	}
	got := refusal(apperr.Conflict("a change is in flight").WithReason("change_in_flight", "ids", 5))
	if got.Message != "a change is in flight" || got.Reason != "change_in_flight" || got.Params["ids"] != "5" {
		t.Errorf("refusal %+v", got)
	}
}
