package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"billhound/store"
)

// durationBuckets fit portal runs: seconds to the 5 minute default time limit and beyond.
var durationBuckets = []float64{1, 5, 10, 30, 60, 120, 300, 600, 1800}

// metricRuns bounds the durations read per scrape: the recent runs tell how runs go now.
const metricRuns = 1000

var (
	descRuns      = prometheus.NewDesc("billhound_runs_total", "Runs in the database by status and failure kind.", []string{"status", "failure_kind"}, nil)
	descQueued    = prometheus.NewDesc("billhound_queue_depth", "Runs waiting for a slot (queued).", nil, nil)
	descRunning   = prometheus.NewDesc("billhound_runs_running", "Runs in progress.", nil, nil)
	descDurations = prometheus.NewDesc("billhound_run_duration_seconds", "How long the last 1000 finished runs ran.", nil, nil)
	descInvoices  = prometheus.NewDesc("billhound_invoices_archived", "Invoices in the archive.", nil, nil)
	descBytes     = prometheus.NewDesc("billhound_archive_bytes", "Total size of the archived invoices.", nil, nil)
	descBrowsers  = prometheus.NewDesc("billhound_browser_processes", "Chromium processes started by this server.", nil, nil)
	descUp        = prometheus.NewDesc("billhound_database_up", "1 when the database answered this scrape's queries.", nil, nil)
)

// collector reads the figures from the database at scrape time, so they survive restarts and
// count the runs of the CLI as well as the server's.
type collector struct{ s *Server }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRuns, descQueued, descRunning, descDurations, descInvoices, descBytes, descBrowsers, descUp} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	st := c.s.deps.Store
	up := 1.0
	counts, err := st.RunCounts(ctx)
	if err != nil {
		up = 0
	}
	var queued, running float64
	for _, rc := range counts {
		ch <- prometheus.MustNewConstMetric(descRuns, prometheus.CounterValue, float64(rc.N), rc.Status, rc.FailureKind)
		switch rc.Status {
		case store.RunQueued:
			queued += float64(rc.N)
		case store.RunRunning:
			running += float64(rc.N)
		}
	}
	ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, queued)
	ch <- prometheus.MustNewConstMetric(descRunning, prometheus.GaugeValue, running)
	if ds, err := st.RunDurations(ctx, metricRuns); err == nil {
		ch <- durationHistogram(ds)
	} else {
		up = 0
	}
	if n, b, err := st.InvoiceTotals(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descInvoices, prometheus.GaugeValue, float64(n))
		ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(b))
	} else {
		up = 0
	}
	if br := c.s.deps.Ops.Browser; br != nil {
		ch <- prometheus.MustNewConstMetric(descBrowsers, prometheus.GaugeValue, float64(br.Processes()))
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
}

func durationHistogram(ds []time.Duration) prometheus.Metric {
	buckets := make(map[float64]uint64, len(durationBuckets))
	var sum float64
	for _, d := range ds {
		sec := d.Seconds()
		sum += sec
		for _, b := range durationBuckets {
			if sec <= b {
				buckets[b]++
			}
		}
	}
	return prometheus.MustNewConstHistogram(descDurations, uint64(len(ds)), sum, buckets)
}

// metricsHandler is built once per server: its own registry (no global state between the
// servers of a test), with the Go runtime's and the process's figures (RSS, open files).
func (s *Server) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{s}, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// getMetrics needs an API token (Prometheus sends it with `authorization: {credentials: ...}`)
// or a session, unless BILLHOUND_METRICS_PUBLIC=1.
func (s *Server) getMetrics(c echo.Context) error {
	if !s.deps.Ops.MetricsPublic {
		if err := s.requireSession(func(echo.Context) error { return nil })(c); err != nil {
			return err
		}
	}
	s.metrics.ServeHTTP(c.Response(), c.Request())
	return nil
}
