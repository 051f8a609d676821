package app

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// adOpsService builds the ad operations service of the API on the
// process's one OceanEngine client (base.oceanEngine). Without an
// encryption key no token can be read, so there is no client: it returns
// nil with a warning, and the change endpoints answer 503.
func (b *base) adOpsService() (*adops.Service, error) {
	p, err := b.oceanEngine()
	if errors.Is(err, tokencrypt.ErrNoActiveKey) {
		b.log.Warn("ad operations are disabled: set crypto.keys and crypto.active_key (CRYPTO_KEYS, CRYPTO_ACTIVE_KEY)")
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	metrics, err := adops.NewMetrics(prometheus.DefaultRegisterer)
	if err != nil {
		return nil, err
	}
	return adops.New(adops.Deps{DB: b.db, Platform: p.Client, Logger: b.log, Metrics: metrics}, adops.Options{})
}
