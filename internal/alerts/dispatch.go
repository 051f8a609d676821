package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/apperr"
)

// maxPerMessage bounds the deliveries one message carries; more wait for
// the next cycle (a webhook body stays a few hundred KB at most).
const maxPerMessage = 1000

type dispatchStats struct {
	messages, delivered, retrying, failed int
}

// sendConcurrency bounds the channels sent to at once: a slow or dead
// receiver (retried with backoff) must not hold up the others.
const sendConcurrency = 8

// dispatch sends, per channel, everything due as one message.
func (s *Service) dispatch(ctx context.Context, now time.Time) (dispatchStats, error) {
	var total dispatchStats
	chans, err := s.store.DueChannels(ctx, now)
	if err != nil {
		return total, err
	}
	var (
		mu   sync.Mutex
		errs []error
		g    errgroup.Group
	)
	g.SetLimit(sendConcurrency)
	for _, id := range chans {
		g.Go(func() error {
			var st dispatchStats
			err := s.sendChannel(ctx, id, now, &st)
			mu.Lock()
			defer mu.Unlock()
			total.messages += st.messages
			total.delivered += st.delivered
			total.retrying += st.retrying
			total.failed += st.failed
			if err != nil {
				errs = append(errs, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return total, ctx.Err()
	}
	return total, errors.Join(errs...)
}

// sendChannel claims a channel's due deliveries and sends them together.
func (s *Service) sendChannel(ctx context.Context, id int64, now time.Time, st *dispatchStats) error {
	uid := newUID()
	pend, err := s.store.ClaimDeliveries(ctx, id, uid, now, now.Add(s.opts.DeliveryLease), maxPerMessage)
	if err != nil || len(pend) == 0 {
		return err
	}
	out := MessageOutcome{UID: uid, ChannelID: id, At: now}
	sc, err := s.store.Channel(ctx, id)
	gone := apperr.Is(err, apperr.KindNotFound)
	if err != nil && !gone {
		return errors.Join(err, s.releaseClaim(ctx, out, pend, now, "channel unreadable: "+err.Error()))
	}
	if gone || !sc.Enabled {
		for _, p := range pend {
			out.Skipped = append(out.Skipped, p.ID)
		}
		out.Error = "channel deleted or disabled"
		return s.store.FinishMessage(ctx, out)
	}
	keep, skip := collapse(pend)
	out.Skipped = skip
	if len(keep) == 0 {
		return s.store.FinishMessage(ctx, out)
	}
	cfg, err := s.openChannel(sc)
	if err != nil {
		return errors.Join(err, s.releaseClaim(ctx, out, keep, now, err.Error()))
	}
	msg := s.message(uid, keep, now)
	res, sendErr := s.sender.Send(ctx, cfg, msg)
	st.messages++
	if sendErr == nil {
		for _, p := range keep {
			out.Sent = append(out.Sent, p.ID)
		}
		out.Attempts, out.Response = res.Attempts, cut(res.Response, 500)
		st.delivered += len(keep)
		s.metrics.messages.WithLabelValues(string(sc.Type), "sent").Inc()
		if err := s.store.ChannelOutcome(ctx, id, now, ""); err != nil {
			s.log.Warn("record channel outcome", zap.Int64("channel_id", id), zap.Error(err))
		}
		return s.store.FinishMessage(ctx, out)
	}
	s.log.Warn("alert message not delivered", zap.Int64("channel_id", id), zap.String("channel_type", string(sc.Type)),
		zap.Int("events", len(keep)), zap.Error(sendErr))
	if err := s.store.ChannelOutcome(ctx, id, now, cut(sendErr.Error(), 500)); err != nil {
		s.log.Warn("record channel outcome", zap.Int64("channel_id", id), zap.Error(err))
	}
	var ce *channel.Error
	if errors.As(sendErr, &ce) {
		out.Attempts = ce.Attempts
	}
	out.Error = cut(sendErr.Error(), 500)
	s.settleFailure(&out, keep, now)
	st.retrying += len(out.Retry)
	st.failed += len(out.Failed)
	result := "retry"
	if len(out.Retry) == 0 {
		result = "failed"
	}
	s.metrics.messages.WithLabelValues(string(sc.Type), result).Inc()
	return s.store.FinishMessage(ctx, out)
}

// settleFailure splits failed deliveries into ones to try again (after a
// backoff doubling from one minute, at most an hour) and ones given up
// after MaxAttempts cycles.
func (s *Service) settleFailure(out *MessageOutcome, ps []PendingDelivery, now time.Time) {
	attempts := 0
	for _, p := range ps {
		if p.Attempts+1 >= s.opts.MaxAttempts {
			out.Failed = append(out.Failed, p.ID)
			continue
		}
		out.Retry = append(out.Retry, p.ID)
		attempts = max(attempts, p.Attempts)
	}
	out.RetryAt = now.Add(min(time.Minute<<min(attempts, 6), time.Hour))
}

// releaseClaim hands claimed deliveries back for the next cycle.
func (s *Service) releaseClaim(ctx context.Context, out MessageOutcome, ps []PendingDelivery, now time.Time, why string) error {
	out.Error = cut(why, 500)
	s.settleFailure(&out, ps, now)
	return s.store.FinishMessage(ctx, out)
}

// collapse keeps at most one delivery per alert in a message: an alert
// that resolved before it was announced is not mentioned at all; one
// resolved after its announcement shows as resolved; of several updates
// the last one shows.
func collapse(ps []PendingDelivery) (keep []PendingDelivery, skip []int64) {
	byAlert := map[int64][]PendingDelivery{}
	var order []int64
	for _, p := range ps {
		if _, ok := byAlert[p.Alert.ID]; !ok {
			order = append(order, p.Alert.ID)
		}
		byAlert[p.Alert.ID] = append(byAlert[p.Alert.ID], p)
	}
	for _, id := range order {
		group := byAlert[id]
		slices.SortFunc(group, func(a, b PendingDelivery) int { return int(a.EventID - b.EventID) })
		fired := slices.ContainsFunc(group, func(p PendingDelivery) bool { return p.EventType == EventFired })
		last := group[len(group)-1]
		if fired && last.EventType == EventResolved {
			for _, p := range group {
				skip = append(skip, p.ID)
			}
			continue
		}
		if fired && !last.Alert.OneShot {
			// Announce it as new, with its latest figures.
			first := group[0]
			first.Severity, first.Summary = last.Severity, last.Summary
			last = first
		}
		keep = append(keep, last)
		for _, p := range group {
			if p.ID != last.ID {
				skip = append(skip, p.ID)
			}
		}
	}
	return keep, skip
}

// newUID is a message id (time-ordered UUID).
func newUID() string {
	if u, err := uuid.NewV7(); err == nil {
		return u.String()
	}
	return uuid.NewString()
}

// ---- channel secrets ----

// channelSecrets are the parts of a channel config sealed at rest.
type channelSecrets struct {
	URL      string `json:"url,omitempty"`
	Secret   string `json:"secret,omitempty"`
	Password string `json:"password,omitempty"`
}

func channelAAD(id int64) []byte { return fmt.Appendf(nil, "alert_channel:%d", id) }

// seal splits cfg into clear settings and sealed secrets bound to the
// channel id.
func (s *Service) seal(id int64, cfg channel.Config) (settings, sealed []byte, keyID string, err error) {
	if s.keys == nil {
		return nil, nil, "", apperr.New(apperr.KindUnavailable, "channel secrets cannot be stored: no encryption key is configured (crypto.keys, crypto.active_key)").
			WithReason("not_configured", "what", "encryption_key")
	}
	sec := channelSecrets{URL: cfg.URL, Secret: cfg.Secret, Password: cfg.Password}
	clear := cfg
	clear.URL, clear.Secret, clear.Password = "", "", ""
	if settings, err = json.Marshal(clear); err != nil {
		return nil, nil, "", err
	}
	plain, err := json.Marshal(sec)
	if err != nil {
		return nil, nil, "", err
	}
	if sealed, err = s.keys.Seal(plain, channelAAD(id)); err != nil {
		return nil, nil, "", fmt.Errorf("alerts: seal channel secrets: %w", err)
	}
	return settings, sealed, s.keys.ActiveKeyID(), nil
}

// openChannel returns a stored channel's full config.
func (s *Service) openChannel(sc SealedChannel) (channel.Config, error) {
	var cfg channel.Config
	if err := json.Unmarshal(sc.Settings, &cfg); err != nil {
		return cfg, fmt.Errorf("alerts: channel %d settings: %w", sc.ID, err)
	}
	cfg.Type = sc.Type
	if s.keys == nil {
		return cfg, apperr.New(apperr.KindUnavailable, "channel secrets cannot be read: no encryption key is configured").
			WithReason("not_configured", "what", "encryption_key")
	}
	plain, err := s.keys.Open(sc.Secrets, channelAAD(sc.ID))
	if err != nil {
		return cfg, fmt.Errorf("alerts: channel %d secrets (key %s): %w", sc.ID, sc.KeyID, err)
	}
	var sec channelSecrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return cfg, fmt.Errorf("alerts: channel %d secrets: %w", sc.ID, err)
	}
	cfg.URL, cfg.Secret, cfg.Password = sec.URL, sec.Secret, sec.Password
	return cfg, nil
}
