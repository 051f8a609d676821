package alerts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/alerts/channel"
)

// EventPayload is one event of a webhook message (channel.WebhookPayload's
// "events"), a stable JSON contract for receivers.
type EventPayload struct {
	EventID int64        `json:"event_id"`
	Type    EventType    `json:"type"`
	At      time.Time    `json:"at"`
	Alert   AlertPayload `json:"alert"`
}

// AlertPayload is the alert an event is about.
type AlertPayload struct {
	ID             int64          `json:"id"`
	Kind           Kind           `json:"kind"`
	Severity       Severity       `json:"severity"`
	Status         string         `json:"status"`
	AdvertiserID   int64          `json:"advertiser_id"`
	AdvertiserName string         `json:"advertiser_name"`
	EntityType     EntityType     `json:"entity_type"`
	EntityID       int64          `json:"entity_id"`
	EntityName     string         `json:"entity_name"`
	Title          string         `json:"title"`
	Summary        string         `json:"summary"`
	Details        map[string]any `json:"details"`
	Source         string         `json:"source"`
	FirstSeenAt    time.Time      `json:"first_seen_at"`
	ResolvedAt     *time.Time     `json:"resolved_at,omitempty"`
	URL            string         `json:"url,omitempty"`
}

// section order and headings of grouped messages.
var sections = []struct {
	match   func(PendingDelivery) bool
	heading string
}{
	{func(p PendingDelivery) bool { return p.EventType == EventFired && !p.Alert.Kind.OneShot() }, "新告警"},
	{func(p PendingDelivery) bool { return p.EventType == EventEscalated }, "升级"},
	{func(p PendingDelivery) bool { return p.EventType == EventReminded }, "仍未恢复"},
	{func(p PendingDelivery) bool { return p.EventType == EventFired && p.Alert.Kind == KindRuleAction }, "规则通知"},
	{func(p PendingDelivery) bool { return p.EventType == EventFired && p.Alert.Kind == KindScheduledChange }, "定时操作"},
	{func(p PendingDelivery) bool { return p.EventType == EventResolved }, "已恢复"},
}

var severityLabel = map[Severity]string{SeverityCritical: "严重", SeverityWarning: "警告", SeverityInfo: "提示"}

// level maps a severity to a channel level.
func level(s Severity) channel.Level {
	switch s {
	case SeverityCritical:
		return channel.LevelCritical
	case SeverityWarning:
		return channel.LevelWarning
	}
	return channel.LevelInfo
}

// alertURL links to an alert in the console ("" without a console URL).
func (s *Service) alertURL(id int64) string {
	if s.opts.ConsoleURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.opts.ConsoleURL, "/") + "/alerts/" + strconv.FormatInt(id, 10)
}

// message groups deliveries into one message: a section per event type,
// most severe first, a line per alert.
func (s *Service) message(uid string, ds []PendingDelivery, now time.Time) channel.Message {
	slices.SortStableFunc(ds, func(a, b PendingDelivery) int {
		if r := b.Severity.Rank() - a.Severity.Rank(); r != 0 {
			return r
		}
		return int(a.Alert.ID - b.Alert.ID)
	})
	m := channel.Message{ID: uid, At: now, Level: channel.LevelResolved}
	var counts []string
	worst := 0
	for _, sec := range sections {
		var lines []string
		for _, d := range ds {
			if !sec.match(d) {
				continue
			}
			if d.EventType != EventResolved && d.Severity.Rank() > worst {
				worst = d.Severity.Rank()
				m.Level = level(d.Severity)
			}
			lines = append(lines, line(d))
		}
		if len(lines) == 0 {
			continue
		}
		counts = append(counts, fmt.Sprintf("%s %d", sec.heading, len(lines)))
		out := channel.Section{Heading: fmt.Sprintf("%s (%d)", sec.heading, len(lines)), Level: m.Level}
		if sec.heading == "已恢复" {
			out.Level = channel.LevelResolved
		}
		if n := s.opts.LinesPerSection; len(lines) > n {
			out.Lines, out.More = lines[:n], len(lines)-n
		} else {
			out.Lines = lines
		}
		m.Sections = append(m.Sections, out)
	}
	m.Title = "OceanOps 告警：" + strings.Join(counts, "，")
	m.Intro = now.In(beijing).Format("2006-01-02 15:04") + "（北京时间）"
	if s.opts.ConsoleURL != "" {
		m.Link = strings.TrimSuffix(s.opts.ConsoleURL, "/") + "/alerts"
	}
	m.Footer = "OceanOps · 消息 " + uid
	events := make([]EventPayload, len(ds))
	for i, d := range ds {
		a := d.Alert
		events[i] = EventPayload{EventID: d.EventID, Type: d.EventType, At: d.EventAt.UTC(), Alert: AlertPayload{
			ID: a.ID, Kind: a.Kind, Severity: d.Severity, Status: a.Status, AdvertiserID: a.AdvertiserID, AdvertiserName: a.AdvertiserName,
			EntityType: a.Entity.Type, EntityID: a.Entity.ID, EntityName: a.Entity.Name, Title: a.Title, Summary: d.Summary,
			Details: a.Details, Source: a.Source, FirstSeenAt: a.FirstSeenAt.UTC(), ResolvedAt: a.ResolvedAt, URL: s.alertURL(a.ID)}}
	}
	m.Data = events
	return m
}

// line is one alert in a chat message: severity, kind, advertiser, entity
// and what was found.
func line(d PendingDelivery) string {
	a := d.Alert
	var b strings.Builder
	if d.EventType != EventResolved {
		b.WriteString("[" + severityLabel[d.Severity] + "] ")
	}
	b.WriteString(a.Kind.Label() + " · " + a.AdvertiserName + "（" + strconv.FormatInt(a.AdvertiserID, 10) + "）")
	switch a.Entity.Type {
	case EntityAdvertiser, "":
	case EntityStream:
		b.WriteString(" · " + a.Entity.Type.Label() + " " + a.Entity.Sub)
	default:
		b.WriteString(" · " + a.Entity.Type.Label() + " " + a.Entity.Name + "（" + strconv.FormatInt(a.Entity.ID, 10) + "）")
	}
	switch {
	case d.EventType == EventResolved && a.ResolvedAt != nil:
		b.WriteString("：已恢复，持续 " + duration(a.ResolvedAt.Sub(a.FirstSeenAt)))
	case d.Summary != "":
		b.WriteString("：" + d.Summary)
	}
	return b.String()
}

// duration renders how long an alert fired: "3 天 2 小时", "2 小时 5 分钟", "12 分钟".
func duration(d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	switch {
	case m >= 24*60:
		return fmt.Sprintf("%d 天 %d 小时", m/(24*60), m%(24*60)/60)
	case m >= 60:
		return fmt.Sprintf("%d 小时 %d 分钟", m/60, m%60)
	}
	return fmt.Sprintf("%d 分钟", m)
}
