// tsdb-writer writes a synthetic Istio mesh's catch-all egress series straight into Prometheus TSDB
// blocks, with the recording rules' series (istio_egress:*:increase5m) as Prometheus would have recorded
// them: the benchmark sizes (10k series over a week, 100k over a day) are billions of bytes as OpenMetrics
// text and hours of `promtool tsdb create-blocks-from`, but minutes this way.
//
// Usage: tsdb-writer -series 10000 -days 7 -interval 30 -end 1767225600 -out DIR
//
// The mix: workloads (3 pods each) × external destinations (a shared pool, popular ones reached by many
// workloads) on HTTP (response codes 200 and 404, or 502 when blocked) and TCP (opened, closed, sent and
// received bytes when allowed; opened and closed when blocked), a tenth of the pairs blocked, a tenth born
// inside the range. It prints one JSON line: series written, samples, recorded series.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

type series struct {
	lbls     labels.Labels
	group    string // the recorded series this one sums into (labels without pod and instance)
	metric   string
	perStep  float64
	bornStep int
}

type recorded struct {
	lbls labels.Labels
	of   []int // indices into the raw series
}

const (
	podsPerWorkload = 3
	recordEvery     = 300 // seconds: the recording group's interval
	// The recording group's evaluation offset within its interval, as Prometheus spreads groups.
	recordOffset = 97
	hourEvery    = 3600
	// The hourly group's own offset: hourly samples never coincide with 5-minute ones.
	hourOffset = 1931
)

var hourlyName = map[string]string{
	"istio_egress:istio_requests:increase5m":               "istio_egress:istio_requests:increase1h",
	"istio_egress:istio_tcp_connections_closed:increase5m": "istio_egress:istio_tcp_connections_closed:increase1h",
	"istio_egress:istio_tcp_sent_bytes:increase5m":         "istio_egress:istio_tcp_sent_bytes:increase1h",
	"istio_egress:istio_tcp_received_bytes:increase5m":     "istio_egress:istio_tcp_received_bytes:increase1h",
}

var recordedName = map[string]string{
	"istio_requests_total":               "istio_egress:istio_requests:increase5m",
	"istio_tcp_connections_closed_total": "istio_egress:istio_tcp_connections_closed:increase5m",
	"istio_tcp_sent_bytes_total":         "istio_egress:istio_tcp_sent_bytes:increase5m",
	"istio_tcp_received_bytes_total":     "istio_egress:istio_tcp_received_bytes:increase5m",
}

// A small deterministic generator (xorshift), so every run writes the same mesh.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = rng(x)
	return x
}
func (r *rng) float() float64 { return float64(r.next()>>11) / float64(1<<53) }
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func buildMesh(target int, steps int) ([]series, []recorded) {
	r := rng(0x9e3779b97f4a7c15)
	pool := max(50, target/5)
	var out []series
	cluster := "bench-1"
	for w := 0; len(out) < target; w++ {
		ns := fmt.Sprintf("team-%02d", w/12)
		wl := fmt.Sprintf("svc-%d", w)
		dests := 4 + r.intn(8)
		picked := map[int]bool{}
		for d := 0; d < dests && len(out) < target; d++ {
			// Popular destinations first: a skewed pick from the pool; a workload reaches each host once.
			host := int(math.Pow(r.float(), 2.5) * float64(pool))
			if picked[host] {
				continue
			}
			picked[host] = true
			blocked := r.intn(10) == 0
			tcp := r.intn(10) < 3
			born := 0
			if r.intn(10) == 0 {
				born = r.intn(steps)
			}
			verdict := "PassthroughCluster"
			if blocked {
				verdict = "BlackHoleCluster"
			}
			base := []string{
				"cluster", cluster, "source_cluster", cluster, "reporter", "source",
				"source_workload", wl, "source_workload_namespace", ns, "source_app", wl,
				"source_principal", fmt.Sprintf("spiffe://cluster.local/ns/%s/sa/%s", ns, wl),
				"destination_service_name", verdict, "destination_workload", "unknown",
				"destination_workload_namespace", "unknown", "destination_service_namespace", "unknown",
				"destination_principal", "unknown", "connection_security_policy", "unknown", "job", "envoy-stats",
			}
			type m struct {
				name  string
				extra []string
				rate  float64
			}
			var metrics []m
			if tcp {
				ip := fmt.Sprintf("%d.%d.%d.%d:443", 20+host%200, (host/200)%250, host%250, 1+host%200)
				extra := []string{"destination_service", "unknown", "destination_ip", ip, "request_protocol", "tcp"}
				if blocked {
					extra = append(extra, "response_flags", "UH")
					metrics = []m{{"istio_tcp_connections_opened_total", extra, 0.3}, {"istio_tcp_connections_closed_total", extra, 0.3}}
				} else {
					extra = append(extra, "response_flags", "-")
					metrics = []m{
						{"istio_tcp_connections_opened_total", extra, 0.5},
						{"istio_tcp_connections_closed_total", extra, 0.5},
						{"istio_tcp_sent_bytes_total", extra, 2000},
						{"istio_tcp_received_bytes_total", extra, 30000},
					}
				}
			} else {
				hostName := fmt.Sprintf("api-%d.vendor-%d.example.com", host, host%97)
				codes := []string{"200", "404"}
				if blocked {
					codes = []string{"502"}
				}
				for i, code := range codes {
					rate := 2.0
					if i > 0 {
						rate = 0.1
					}
					metrics = append(metrics, m{"istio_requests_total", []string{
						"destination_service", hostName, "request_protocol", "http", "response_code", code, "response_flags", "-",
					}, rate})
				}
			}
			for _, mt := range metrics {
				for p := 0; p < podsPerWorkload; p++ {
					kv := append(append([]string{"__name__", mt.name}, base...), mt.extra...)
					group := labels.FromStrings(kv...).String()
					kv = append(kv, "pod", fmt.Sprintf("%s-7d9f8b6c5-%d", wl, p), "instance", fmt.Sprintf("10.%d.%d.%d:15020", w/250%250, w%250, p))
					out = append(out, series{
						lbls:     labels.FromStrings(kv...),
						group:    group,
						metric:   mt.name,
						perStep:  mt.rate * (0.5 + r.float()),
						bornStep: born,
					})
				}
			}
		}
	}
	groups := map[string]*recorded{}
	var order []string
	for i, s := range out {
		name, ok := recordedName[s.metric]
		if !ok {
			continue
		}
		g, ok := groups[s.group]
		if !ok {
			b := labels.NewBuilder(s.lbls)
			b.Del("pod", "instance")
			b.Set("__name__", name)
			g = &recorded{lbls: b.Labels()}
			groups[s.group] = g
			order = append(order, s.group)
		}
		g.of = append(g.of, i)
	}
	sort.Strings(order)
	rec := make([]recorded, 0, len(order))
	for _, k := range order {
		rec = append(rec, *groups[k])
	}
	return out, rec
}

// The counter's value at scrape step k (whole increments, as Istio's counters are).
func value(s *series, k int) float64 {
	return math.Floor(float64(k-s.bornStep+1) * s.perStep)
}

func main() {
	target := flag.Int("series", 10000, "catch-all series to write (raw, per pod)")
	days := flag.Float64("days", 7, "history length in days")
	interval := flag.Int64("interval", 30, "scrape interval in seconds")
	end := flag.Int64("end", 1767225600, "unix seconds of the last sample")
	out := flag.String("out", "", "Prometheus data directory to write blocks into")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "tsdb-writer: -out DIR is required")
		os.Exit(2)
	}
	steps := int(*days * 86400 / float64(*interval))
	start := *end - int64(steps-1)**interval
	raw, rec := buildMesh(*target, steps)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	var samples int64
	const day = int64(86400)
	// One block per day: the head of one block writer holds a day of every series at most.
	for blockStart := start - start%day; blockStart <= *end; blockStart += day {
		blockEnd := blockStart + day
		// The head refuses samples older than half its chunk range behind its newest: with every series
		// written start to end in turn, the range must span the whole day twice over.
		w, err := tsdb.NewBlockWriter(logger, *out, 4*day*1000)
		check(err)
		app := w.Appender(ctx)
		pending := 0
		appendOne := func(l labels.Labels, t int64, v float64) {
			_, err := app.Append(storage.SeriesRef(0), l, t*1000, v)
			check(err)
			samples++
			pending++
			if pending >= 1_000_000 {
				check(app.Commit())
				app = w.Appender(ctx)
				pending = 0
			}
		}
		for i := range raw {
			s := &raw[i]
			for k := max(s.bornStep, 0); k < steps; k++ {
				t := start + int64(k)**interval
				if t < blockStart {
					continue
				}
				if t >= blockEnd {
					break
				}
				appendOne(s.lbls, t, value(s, k))
			}
		}
		// The recording group's 5-minute increases at its evaluation times: each pod's counter delta over
		// the 5 minutes before, summed without pod and instance.
		fiveMinute := func(g *recorded, t int64) (float64, bool) {
			k := int((t - start) / *interval)
			k0 := int((t - recordEvery - start) / *interval)
			sum := 0.0
			seen := false
			for _, i := range g.of {
				s := &raw[i]
				if k < s.bornStep {
					continue
				}
				seen = true
				from := 0.0
				if k0 >= s.bornStep {
					from = value(s, k0)
				}
				sum += value(s, k) - from
			}
			return sum, seen
		}
		recordedAt := func(t int64) bool { return t >= start+recordEvery && t <= *end }
		for gi := range rec {
			g := &rec[gi]
			for t := blockStart - blockStart%recordEvery + recordOffset; t < blockEnd; t += recordEvery {
				if !recordedAt(t) {
					continue
				}
				if sum, seen := fiveMinute(g, t); seen {
					appendOne(g.lbls, t, sum)
				}
			}
			// The hourly tier: sum_over_time of the 5-minute samples in the hour before each evaluation.
			hb := labels.NewBuilder(g.lbls)
			hb.Set("__name__", hourlyName[g.lbls.Get("__name__")])
			hourly := hb.Labels()
			for h := blockStart - blockStart%hourEvery + hourOffset; h < blockEnd; h += hourEvery {
				if h-hourEvery < start || h > *end {
					continue
				}
				sum, any := 0.0, false
				for t := h - h%recordEvery + recordOffset; t > h-hourEvery; t -= recordEvery {
					if t > h || !recordedAt(t) {
						continue
					}
					if v, seen := fiveMinute(g, t); seen {
						sum += v
						any = true
					}
				}
				if any {
					appendOne(hourly, h, sum)
				}
			}
		}
		check(app.Commit())
		_, err = w.Flush(ctx)
		check(err)
		check(w.Close())
	}
	enc := json.NewEncoder(os.Stdout)
	check(enc.Encode(map[string]int64{"series": int64(len(raw)), "recordedSeries": int64(len(rec)), "samples": samples}))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "tsdb-writer:", err)
		os.Exit(1)
	}
}
