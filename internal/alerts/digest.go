package alerts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// The digest: a subscription with a digest time sends, every day at that
// Beijing time, the previous day's figures of the advertisers it hears
// about, against the day before — or, weekly, on one weekday the seven days
// before against the seven before them; monthly, on its day of the month
// (the 1st, or a later one for the late conversions to come in) the
// calendar month before against the month before that — to the same
// channels as its alerts.

// DigestGrace is how late after its time a daily digest may still start
// (a worker down at the time); later, that day is skipped — the next comes
// tomorrow. A weekly or monthly digest, which would be missed for its whole
// period, may start until its Beijing day ends. A send that started and
// failed is retried like an alert's delivery, whatever the hour.
const DigestGrace = 3 * time.Hour

// digestTop is how many accounts a chat message names by spend.
const digestTop = 10

// maxDigestHistory is how far back a digest may be asked for (days).
const maxDigestHistory = 366

// The states of a digest's send to one channel.
const (
	DigestSending  = "sending"
	DigestSent     = "sent"
	DigestRetrying = "retrying"
	DigestFailed   = "failed"
)

// DigestSend is a scheduled digest's send to one channel for one day.
type DigestSend struct {
	SubscriptionID int64
	Day            string
	ChannelID      int64
	Status         string
	Attempts       int
	// NextAt is when a retrying send is tried again.
	NextAt    *time.Time
	SentAt    *time.Time
	MessageID string
	Error     string
	// At is when the row is written.
	At time.Time
}

// DigestStatus is how a subscription's latest scheduled digest went,
// over its channels: sent to every one, still sending, retrying one, or
// given up on one.
type DigestStatus struct {
	Day    string
	Status string
	SentAt *time.Time
	Error  string
}

// DigestAccount is one advertiser's figures in a digest.
type DigestAccount struct {
	AdvertiserID int64
	Name         string
	Totals       report.Totals
	Previous     report.Totals
}

// The periods of a digest.
const (
	PeriodDay   = "day"
	PeriodWeek  = "week"
	PeriodMonth = "month"
)

// Period is what a digest covers, and the period it is compared with.
type Period struct {
	// Kind is PeriodDay, PeriodWeek or PeriodMonth.
	Kind string
	// From and Day are the period's first and last days; PreviousFrom and
	// PreviousDay the period before's.
	From, Day, PreviousFrom, PreviousDay string
}

// Digest is a period's figures of a subscription's advertisers against the
// period before: a day (From = Day), a week of seven days or a calendar
// month.
type Digest struct {
	Period
	// Days is the period's length: 1 for a daily digest, 7 for a weekly
	// one, the month's days for a monthly one.
	Days int
	// Advertisers counts the accounts covered.
	Advertisers      int
	Totals, Previous report.Totals
	// Accounts spent on either day, most spent on the day first.
	Accounts []DigestAccount
	// Stopped spent the day before and nothing on the day.
	Stopped []int64
	// Incomplete accounts' daily report of the day has not been read in
	// full: the totals may be short (Totals and Previous are zero).
	Incomplete []DigestAccount
	// Managers sums the accounts by the majordomo or agent account they
	// are bound through (AdvertiserID 0: bound directly), most spent first;
	// nil when the accounts have one.
	Managers []DigestAccount
}

// DigestSendResult is what one channel answered to a digest sent now.
type DigestSendResult struct {
	ChannelID   int64
	ChannelName string
	TestResult
}

// digestAudience lists the bound advertisers a subscription hears about
// (those it names, if any, within the subscriber's scope), by id.
func digestAudience(r *routing, sub Subscription, accounts []Account) []Account {
	var out []Account
	for _, a := range accounts {
		if r.names(sub, a.ID) && r.sees(sub, a.ID) {
			out = append(out, a)
		}
	}
	return out
}

// digestPeriod is the period of sub's digest that ends by day: the day;
// for a weekly digest the seven days to it; for a monthly one the last
// calendar month whole by day (day's own when day is its last day, else
// the month before) — each with the period before it.
func digestPeriod(sub Subscription, day string) Period {
	t, err := time.Parse(time.DateOnly, day)
	if sub.DigestMonthDay != nil && err == nil {
		end := t
		if t.AddDate(0, 0, 1).Day() != 1 {
			end = time.Date(t.Year(), t.Month(), 0, 0, 0, 0, 0, time.UTC) // the month before's last day
		}
		first := end.AddDate(0, 0, 1-end.Day())
		before := first.AddDate(0, 0, -1)
		return Period{Kind: PeriodMonth, From: first.Format(time.DateOnly), Day: end.Format(time.DateOnly),
			PreviousFrom: before.AddDate(0, 0, 1-before.Day()).Format(time.DateOnly), PreviousDay: before.Format(time.DateOnly)}
	}
	kind, days := PeriodDay, 1
	if sub.DigestWeekday != nil {
		kind, days = PeriodWeek, 7
	}
	return Period{Kind: kind, From: report.AddDays(day, 1-days), Day: day, PreviousFrom: report.AddDays(day, 1-2*days), PreviousDay: report.AddDays(day, -days)}
}

// buildDigest reads the figures of accounts over the period p, and over
// the period before it.
func (s *Service) buildDigest(ctx context.Context, accounts []Account, p Period) (Digest, error) {
	d := Digest{Period: p, Days: report.Spec{From: p.From, To: p.Day}.Days(), Advertisers: len(accounts)}
	day := p.Day
	if len(accounts) == 0 {
		return d, nil
	}
	if s.reports == nil {
		return d, apperr.New(apperr.KindUnavailable, "alerts: digests need the reports, which are not configured")
	}
	ids := make([]int64, len(accounts))
	byID := make(map[int64]*DigestAccount, len(accounts))
	all := make([]DigestAccount, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
		all[i] = DigestAccount{AdvertiserID: a.ID, Name: a.Name}
		byID[a.ID] = &all[i]
	}
	spec := report.Spec{Level: report.LevelAdvertiser, Granularity: report.Day, AdvertiserIDs: ids,
		From: d.PreviousFrom, To: day, GroupBy: []report.Dimension{report.DimDate, report.DimManager, report.DimAdvertiser}}
	managers := map[int64]*DigestAccount{}
	_, _, err := s.reports.StreamReport(ctx, auth.Scope{All: true}, spec, int64(spec.Days()*len(ids)), func(row report.Row) error {
		a, ok := byID[row.AdvertiserID]
		if !ok {
			return nil
		}
		m := managers[row.ManagerID]
		if m == nil {
			m = &DigestAccount{AdvertiserID: row.ManagerID, Name: row.ManagerName}
			managers[row.ManagerID] = m
		}
		if row.Date >= d.From {
			a.Totals.Add(row.Totals)
			m.Totals.Add(row.Totals)
		} else {
			a.Previous.Add(row.Totals)
			m.Previous.Add(row.Totals)
		}
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("alerts: digest %s: %w", day, err)
	}
	spec.From, spec.GroupBy = d.From, []report.Dimension{report.DimAdvertiser}
	res, err := s.reports.QueryReport(ctx, auth.Scope{All: true}, spec, 1, 0)
	if err != nil {
		return d, fmt.Errorf("alerts: digest %s coverage: %w", day, err)
	}
	for _, c := range res.Coverage.Advertisers {
		if a, ok := byID[c.AdvertiserID]; ok && !c.Complete() {
			d.Incomplete = append(d.Incomplete, DigestAccount{AdvertiserID: a.AdvertiserID, Name: a.Name})
		}
	}
	for _, a := range all {
		d.Totals.Add(a.Totals)
		d.Previous.Add(a.Previous)
		if a.Totals.Cost.IsZero() && a.Previous.Cost.IsZero() {
			continue
		}
		d.Accounts = append(d.Accounts, a)
		if a.Totals.Cost.IsZero() && a.Previous.Cost.IsPositive() {
			d.Stopped = append(d.Stopped, a.AdvertiserID)
		}
	}
	if len(managers) > 1 {
		for _, m := range managers {
			d.Managers = append(d.Managers, *m)
		}
		slices.SortFunc(d.Managers, bySpend)
	}
	slices.SortStableFunc(d.Accounts, bySpend)
	slices.SortFunc(d.Incomplete, func(a, b DigestAccount) int { return cmp.Compare(a.AdvertiserID, b.AdvertiserID) })
	return d, nil
}

// bySpend orders figures by the day's cost, then the day before's, most
// first, then by id.
func bySpend(a, b DigestAccount) int {
	return cmp.Or(b.Totals.Cost.Cmp(a.Totals.Cost), b.Previous.Cost.Cmp(a.Previous.Cost), cmp.Compare(a.AdvertiserID, b.AdvertiserID))
}

// yesterday is the Beijing day before now's.
func yesterday(now time.Time) string {
	return report.AddDays(now.In(beijing).Format(time.DateOnly), -1)
}

// digestDay checks a day asked for ("" is yesterday): a Beijing date not
// after today and at most maxDigestHistory days back.
func digestDay(day string, now time.Time) (string, error) {
	if day == "" {
		return yesterday(now), nil
	}
	today := now.In(beijing).Format(time.DateOnly)
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", apperr.Validation(apperr.Field("day", "must be a date (YYYY-MM-DD)").Because("date"))
	}
	if day = t.Format(time.DateOnly); day > today || day < report.AddDays(today, -maxDigestHistory) {
		return "", apperr.Validation(apperr.Field("day", "must be within the last %d days and not after today", maxDigestHistory).
			Because("digest_day", "days", maxDigestHistory))
	}
	return day, nil
}

// subscriptionDigest builds the digest of a subscription the actor may
// manage, as routing sees its audience now.
func (s *Service) subscriptionDigest(ctx context.Context, actor Actor, id int64, day string) (Subscription, *routing, Digest, error) {
	sub, err := s.subscriptionFor(ctx, actor, id)
	if err != nil {
		return sub, nil, Digest{}, err
	}
	if day, err = digestDay(day, s.now()); err != nil {
		return sub, nil, Digest{}, err
	}
	r, err := s.loadRouting(ctx)
	if err != nil {
		return sub, nil, Digest{}, err
	}
	if !sub.Enabled {
		// loadRouting reads the subscribers of enabled subscriptions only.
		if err := r.addSubscriber(ctx, s, sub); err != nil {
			return sub, nil, Digest{}, err
		}
	}
	accounts, err := s.facts.Accounts(ctx)
	if err != nil {
		return sub, nil, Digest{}, err
	}
	d, err := s.buildDigest(ctx, digestAudience(r, sub, accounts), digestPeriod(sub, day))
	return sub, r, d, err
}

// Digest returns the digest of a day ("" for yesterday) of a subscription
// the actor may manage, as it would be sent now.
func (s *Service) Digest(ctx context.Context, actor Actor, id int64, day string) (Digest, error) {
	_, _, d, err := s.subscriptionDigest(ctx, actor, id, day)
	return d, err
}

// SendDigest sends the digest of a day ("" for yesterday) of a subscription
// the actor may manage to each of its enabled channels now, and reports
// what each answered. The schedule is not affected.
func (s *Service) SendDigest(ctx context.Context, actor Actor, id int64, day string) (Digest, []DigestSendResult, error) {
	sub, r, d, err := s.subscriptionDigest(ctx, actor, id, day)
	if err != nil {
		return d, nil, err
	}
	var out []DigestSendResult
	now := s.now()
	for _, cid := range sub.ChannelIDs {
		sc, ok := r.channels[cid]
		if !ok || !sc.Enabled {
			continue
		}
		res, err := s.sendDigest(ctx, sc, s.digestMessage(newUID(), sub, d, now))
		if err != nil {
			return d, out, err
		}
		out = append(out, DigestSendResult{ChannelID: cid, ChannelName: sc.Name, TestResult: res})
	}
	if len(out) == 0 {
		return d, nil, apperr.Validation(apperr.Field("channel_ids", "none of the subscription's channels is enabled").Because("no_enabled_channel"))
	}
	return d, out, nil
}

// sendDigest sends a digest message through a channel now (deliver) and
// counts it; that its outcome was not recorded is only logged, since the
// message went (or not) all the same.
func (s *Service) sendDigest(ctx context.Context, sc SealedChannel, msg channel.Message) (TestResult, error) {
	res, err := s.deliver(ctx, sc, msg)
	if err != nil && res.Attempts == 0 {
		return res, err
	}
	if err != nil {
		s.log.Warn("record channel outcome", zap.Int64("channel_id", sc.ID), zap.Error(err))
	}
	result := "sent"
	if !res.OK {
		result = "failed"
	}
	s.metrics.messages.WithLabelValues(string(sc.Type), result).Inc()
	return res, nil
}

// digestDue is when sub's digest of the period ending the day before now's
// Beijing day is due (nil: sub sends none, or a weekly one not today, or a
// monthly one not on its day of the month).
func digestDue(sub Subscription, now time.Time) *time.Time {
	if !sub.Enabled || sub.DigestMinute == nil {
		return nil
	}
	bj := now.In(beijing)
	if w := sub.DigestWeekday; w != nil && isoWeekday(bj.Weekday()) != *w {
		return nil
	}
	if d := sub.DigestMonthDay; d != nil && bj.Day() != *d {
		return nil
	}
	at := time.Date(bj.Year(), bj.Month(), bj.Day(), 0, 0, 0, 0, beijing).Add(time.Duration(*sub.DigestMinute) * time.Minute)
	return &at
}

// tooLate tells a digest due at due that has not started by now to skip its
// day: a daily one more than DigestGrace late (a weekly or monthly one is
// due on its day only, so it is not started the next).
func tooLate(sub Subscription, due, now time.Time) bool {
	return sub.DigestWeekday == nil && sub.DigestMonthDay == nil && now.After(due.Add(DigestGrace))
}

// sendDigests sends the scheduled digests due at now: a day's digest
// starts once its time has come (not tooLate) to each enabled
// channel that has not had it, and a failed send is retried after a
// backoff doubling from one minute, up to MaxAttempts. It runs within a
// cycle, so once per period across processes; a send whose worker died
// (still "sending" at the next cycle) is sent again.
func (s *Service) sendDigests(ctx context.Context, r *routing, accounts []Account, now time.Time) (int, error) {
	day := yesterday(now)
	sends, err := s.store.DigestSends(ctx, day)
	if err != nil {
		return 0, err
	}
	done := map[[2]int64]DigestSend{}
	for _, d := range sends {
		done[[2]int64{d.SubscriptionID, d.ChannelID}] = d
	}
	var (
		mu       sync.Mutex
		messages int
		errs     []error
		g        errgroup.Group
	)
	failed := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}
	// As alert messages: a slow or dead receiver must not hold up the others.
	g.SetLimit(sendConcurrency)
	for _, sub := range r.subs {
		due := digestDue(sub, now)
		if due == nil || now.Before(*due) {
			continue
		}
		var todo []DigestSend
		for _, cid := range sub.ChannelIDs {
			if c, ok := r.channels[cid]; !ok || !c.Enabled {
				continue
			}
			prev, ok := done[[2]int64{sub.ID, cid}]
			switch {
			case !ok && tooLate(sub, *due, now):
			case !ok:
				todo = append(todo, DigestSend{SubscriptionID: sub.ID, Day: day, ChannelID: cid})
			case prev.Status == DigestSending || (prev.Status == DigestRetrying && prev.NextAt != nil && !now.Before(*prev.NextAt)):
				todo = append(todo, prev)
			}
		}
		if len(todo) == 0 {
			continue
		}
		d, err := s.buildDigest(ctx, digestAudience(r, sub, accounts), digestPeriod(sub, day))
		if err != nil {
			failed(err)
			continue
		}
		for _, send := range todo {
			g.Go(func() error {
				if err := s.scheduledDigest(ctx, r.channels[send.ChannelID], sub, d, send, now); err != nil {
					failed(err)
					return nil
				}
				mu.Lock()
				defer mu.Unlock()
				messages++
				return nil
			})
		}
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return messages, ctx.Err()
	}
	return messages, errors.Join(errs...)
}

// scheduledDigest makes one scheduled send: recorded as sending first, then
// as sent, retrying or failed.
func (s *Service) scheduledDigest(ctx context.Context, sc SealedChannel, sub Subscription, d Digest, send DigestSend, now time.Time) error {
	send.Status, send.Attempts, send.MessageID, send.At = DigestSending, send.Attempts+1, newUID(), now
	if err := s.store.PutDigestSend(ctx, send); err != nil {
		return err
	}
	res, err := s.sendDigest(ctx, sc, s.digestMessage(send.MessageID, sub, d, now))
	if err != nil {
		res = TestResult{Error: cut(err.Error(), 500)}
	}
	send.NextAt, send.Error = nil, res.Error
	switch {
	case res.OK:
		send.Status, send.SentAt = DigestSent, &now
	case send.Attempts >= s.opts.MaxAttempts:
		send.Status = DigestFailed
	default:
		next := now.Add(min(time.Minute<<min(send.Attempts-1, 6), time.Hour))
		send.Status, send.NextAt = DigestRetrying, &next
	}
	if !res.OK {
		s.log.Warn("digest not delivered", zap.Int64("subscription_id", sub.ID), zap.Int64("channel_id", sc.ID),
			zap.String("day", d.Day), zap.Int("attempts", send.Attempts), zap.String("error", res.Error))
	}
	// Record the outcome even when ctx ran out: the message may have gone.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return s.store.PutDigestSend(fctx, send)
}

// digestMessage renders a digest for the channels.
func (s *Service) digestMessage(uid string, sub Subscription, d Digest, now time.Time) channel.Message {
	// A monthly digest compares with the month before, a weekly one with
	// the week before, a daily one with the day before.
	title, before, span := fmt.Sprintf("数据日报 · %s（%s）", d.Day, weekday(d.Day)), "前一天", d.Day
	switch d.Kind {
	case PeriodWeek:
		span = d.From + "～" + d.Day[5:]
		title, before = "数据周报 · "+span, "上周"
	case PeriodMonth:
		span = d.From + "～" + d.Day[5:]
		title, before = "数据月报 · "+d.Day[:7], "上月"
	}
	msg := channel.Message{ID: uid, At: now, Event: "digest", Level: channel.LevelInfo,
		Title: title, Footer: "转化数据会随巨量引擎的归因继续增加 · OceanOps", Data: NewDigestView(d)}
	if sub.Name != "" {
		msg.Title += " · " + sub.Name
	}
	if d.Advertisers == 0 {
		msg.Intro = "订阅范围内没有已绑定的广告账户"
		return msg
	}
	msg.Intro = fmt.Sprintf("%d 个账户 · 消耗 %s 元%s · 转化 %s%s · 转化成本 %s · 点击率 %s",
		d.Advertisers, Money(d.Totals.Cost), changeWords(d.Totals.Cost, d.Previous.Cost), grouped(d.Totals.Convert),
		changeWords(decimalOf(d.Totals.Convert), decimalOf(d.Previous.Convert)), optYuan(d.Totals.Derived().CPA),
		optPercent(d.Totals.Derived().CTR))
	var top []string
	for _, a := range d.Accounts {
		if a.Totals.Cost.IsZero() {
			break
		}
		top = append(top, fmt.Sprintf("%s：消耗 %s 元%s，转化 %s，转化成本 %s", accountName(a), Money(a.Totals.Cost),
			changeWords(a.Totals.Cost, a.Previous.Cost), grouped(a.Totals.Convert), optYuan(a.Totals.Derived().CPA)))
	}
	var byManager []string
	for _, m := range d.Managers {
		name := "直接授权的账户"
		if m.AdvertiserID != 0 {
			name = accountName(m)
		}
		byManager = append(byManager, fmt.Sprintf("%s：消耗 %s 元%s，转化 %s，转化成本 %s", name, Money(m.Totals.Cost),
			changeWords(m.Totals.Cost, m.Previous.Cost), grouped(m.Totals.Convert), optYuan(m.Totals.Derived().CPA)))
	}
	if len(byManager) > 0 {
		msg.Sections = append(msg.Sections, digestSection("按管家账户", channel.LevelInfo, byManager, digestTop))
	}
	if len(top) > 0 {
		msg.Sections = append(msg.Sections, digestSection("消耗最多的账户", channel.LevelInfo, top, digestTop))
	}
	var stopped []string
	for _, a := range d.Accounts {
		if slices.Contains(d.Stopped, a.AdvertiserID) {
			stopped = append(stopped, fmt.Sprintf("%s：%s消耗 %s 元", accountName(a), before, Money(a.Previous.Cost)))
		}
	}
	if len(stopped) > 0 {
		msg.Level = channel.LevelWarning
		msg.Sections = append(msg.Sections, digestSection("较"+before+"停止消耗", channel.LevelWarning, stopped, s.opts.LinesPerSection))
	}
	if len(d.Incomplete) > 0 {
		var names []string
		for _, a := range d.Incomplete {
			names = append(names, accountName(a))
		}
		msg.Level = channel.LevelWarning
		msg.Sections = append(msg.Sections, digestSection(fmt.Sprintf("%s 的日报尚未同步完整，合计可能偏低", span),
			channel.LevelWarning, names, s.opts.LinesPerSection))
	}
	if s.opts.ConsoleURL != "" {
		msg.Link = strings.TrimSuffix(s.opts.ConsoleURL, "/") + "/reports?level=advertiser&from=" + d.From + "&to=" + d.Day
	}
	return msg
}

func digestSection(heading string, level channel.Level, lines []string, most int) channel.Section {
	sec := channel.Section{Heading: heading, Level: level, Lines: lines}
	if most > 0 && len(lines) > most {
		sec.Lines, sec.More = lines[:most], len(lines)-most
	}
	return sec
}

func accountName(a DigestAccount) string {
	if a.Name == "" {
		return fmt.Sprint(a.AdvertiserID)
	}
	return fmt.Sprintf("%s（%d）", a.Name, a.AdvertiserID)
}

// isoWeekday numbers a weekday 1 (Monday) … 7 (Sunday).
func isoWeekday(w time.Weekday) int {
	if w == time.Sunday {
		return 7
	}
	return int(w)
}

// weekday names a date's day of the week in Chinese.
func weekday(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	return "周" + []string{"日", "一", "二", "三", "四", "五", "六"}[t.Weekday()]
}

// changeWords says the change from prev to cur ("（+5.20%）"); "" when
// prev is zero.
func changeWords(cur, prev decimal.Decimal) string {
	c := report.Change(cur, prev)
	if c == nil {
		return ""
	}
	sign := ""
	if c.IsPositive() {
		sign = "+"
	}
	return "（" + sign + c.StringFixed(2) + "%）"
}

func decimalOf(n int64) decimal.Decimal { return decimal.NewFromInt(n) }

// grouped is a count with thousands separated ("35,560").
func grouped(n int64) string { return strings.TrimSuffix(Money(decimalOf(n)), ".00") }

// optYuan says an amount in yuan, "—" for none.
func optYuan(d *decimal.Decimal) string {
	if d == nil {
		return "—"
	}
	return Money(*d) + " 元"
}

// optPercent says a percentage, "—" for none.
func optPercent(d *decimal.Decimal) string {
	if d == nil {
		return "—"
	}
	return d.StringFixed(2) + "%"
}

// DigestView is how the API and webhooks show a digest (the API's
// AlertDigest, a webhook body's "digest").
type DigestView struct {
	// From … Day is the period (Period: day, week or month),
	// PreviousFrom … PreviousDay the one compared with; Days its length
	// (1 daily, 7 weekly, the month's days monthly).
	Period       string              `json:"period"`
	From         string              `json:"from"`
	Day          string              `json:"day"`
	PreviousFrom string              `json:"previous_from"`
	PreviousDay  string              `json:"previous_day"`
	Days         int                 `json:"days"`
	Advertisers  int                 `json:"advertisers"`
	Totals       report.MetricsView  `json:"totals"`
	Previous     report.MetricsView  `json:"previous"`
	Change       report.ChangeView   `json:"change_percent"`
	Accounts     []DigestAccountView `json:"accounts"`
	Stopped      []int64             `json:"stopped"`
	Incomplete   []DigestAccountView `json:"incomplete"`
	Managers     []DigestManagerView `json:"managers"`
}

// DigestManagerView is the sum of a digest's accounts bound through one
// majordomo or agent account (ID 0: bound directly).
type DigestManagerView struct {
	ManagerID   int64              `json:"manager_id"`
	ManagerName string             `json:"manager_name"`
	Totals      report.MetricsView `json:"totals"`
	Previous    report.MetricsView `json:"previous"`
	Change      report.ChangeView  `json:"change_percent"`
}

// DigestAccountView is one account of a DigestView: its figures, or only
// its name among the incomplete ones.
type DigestAccountView struct {
	AdvertiserID   int64               `json:"advertiser_id"`
	AdvertiserName string              `json:"advertiser_name"`
	Totals         *report.MetricsView `json:"totals,omitempty"`
	Previous       *report.MetricsView `json:"previous,omitempty"`
	Change         *report.ChangeView  `json:"change_percent,omitempty"`
}

// NewDigestView shows d.
func NewDigestView(d Digest) DigestView {
	v := DigestView{Period: d.Kind, From: d.From, Day: d.Day, PreviousFrom: d.PreviousFrom, PreviousDay: d.PreviousDay, Days: d.Days, Advertisers: d.Advertisers, Totals: report.NewMetricsView(d.Totals),
		Previous: report.NewMetricsView(d.Previous), Change: report.NewChangeView(d.Totals, d.Previous),
		Accounts: []DigestAccountView{}, Stopped: append([]int64{}, d.Stopped...), Incomplete: []DigestAccountView{}}
	for _, a := range d.Accounts {
		cur, prev, change := report.NewMetricsView(a.Totals), report.NewMetricsView(a.Previous), report.NewChangeView(a.Totals, a.Previous)
		v.Accounts = append(v.Accounts, DigestAccountView{AdvertiserID: a.AdvertiserID, AdvertiserName: a.Name,
			Totals: &cur, Previous: &prev, Change: &change})
	}
	for _, a := range d.Incomplete {
		v.Incomplete = append(v.Incomplete, DigestAccountView{AdvertiserID: a.AdvertiserID, AdvertiserName: a.Name})
	}
	v.Managers = []DigestManagerView{}
	for _, m := range d.Managers {
		v.Managers = append(v.Managers, DigestManagerView{ManagerID: m.AdvertiserID, ManagerName: m.Name, Totals: report.NewMetricsView(m.Totals),
			Previous: report.NewMetricsView(m.Previous), Change: report.NewChangeView(m.Totals, m.Previous)})
	}
	return v
}
