package hawkerhttp

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus collectors.
type metrics struct {
	registry *prometheus.Registry
	duration *prometheus.HistogramVec
}

// newMetrics registers the HTTP histogram and the Go runtime and process
// collectors on reg (a new registry when nil). Collectors the registry
// already has are kept.
func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		registry: reg,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and status class.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "status"}),
	}
	for _, c := range []prometheus.Collector{
		m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
			if c == m.duration {
				// Another server on the same registry: share its histogram.
				hv, ok := are.ExistingCollector.(*prometheus.HistogramVec)
				if !ok {
					return nil, err
				}
				m.duration = hv
			}
		}
	}
	return m, nil
}

// observe records one answered request. Routes are patterns, never raw
// paths, so the label set stays small.
func (m *metrics) observe(route string, status int, d time.Duration) {
	m.duration.WithLabelValues(route, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}
