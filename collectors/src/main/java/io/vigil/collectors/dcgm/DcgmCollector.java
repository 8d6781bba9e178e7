package io.vigil.collectors.dcgm;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.TelemetrySink;
import io.vigil.collectors.config.CollectorConfig;
import io.vigil.model.GpuSample;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes every configured dcgm-exporter endpoint once per interval and hands the GPU samples to a sink. Each
 * target is scraped on its own worker, and a target still busy from the previous round is skipped (and counted),
 * so a dead or slow endpoint delays only itself. A target's failures are logged once per change of state.
 */
public final class DcgmCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DcgmCollector.class);

    /** Health and counters of one target, for logs and the collector's own {@code /metrics}. */
    public static final class Target {
        final DcgmExporterScraper scraper;
        final AtomicBoolean inFlight = new AtomicBoolean();
        final AtomicLong scrapes = new AtomicLong(), failures = new AtomicLong(), skipped = new AtomicLong(),
                samples = new AtomicLong(), lastSuccessMs = new AtomicLong(), lastDurationNanos = new AtomicLong();
        volatile boolean up = true;
        volatile String lastError;

        Target(DcgmExporterScraper scraper) {
            this.scraper = scraper;
        }

        public URI url() { return scraper.url(); }
        public long scrapes() { return scrapes.get(); }
        public long failures() { return failures.get(); }
        public long skipped() { return skipped.get(); }
        public long samples() { return samples.get(); }
        public long lastSuccessMs() { return lastSuccessMs.get(); }
        public double lastDurationSeconds() { return lastDurationNanos.get() / 1e9; }
        public boolean up() { return up; }
        public String lastError() { return lastError; }
    }

    /** What one round of {@link #scrapeOnce()} produced. */
    public record Round(List<GpuSample> samples, List<String> failures) {}

    private final List<Target> targets = new ArrayList<>();
    private final TelemetrySink sink;
    private final Duration interval;
    private final InstantSource clock;
    private final ExecutorService workers;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-collector-tick");
        t.setDaemon(true);
        return t;
    });

    public DcgmCollector(CollectorConfig config, TelemetrySink sink, InstantSource clock) {
        this.sink = sink;
        this.interval = config.interval();
        this.clock = clock;
        OriginStamper origin = new OriginStamper(config.collector().id(), clock.millis());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (CollectorConfig.DcgmTarget t : config.dcgmExporters()) {
            targets.add(new Target(new DcgmExporterScraper(http, URI.create(t.url()), config.timeout(t),
                    new DcgmScrape.Placement(config.collector().cluster(), t.row(), t.rack(), t.host()), origin, clock)));
        }
        this.workers = Executors.newFixedThreadPool(Math.min(64, Math.max(1, targets.size())), r -> {
            Thread t = new Thread(r, "vigil-collector-scrape");
            t.setDaemon(true);
            return t;
        });
    }

    public List<Target> targets() {
        return List.copyOf(targets);
    }

    /** Scrapes every target once, in parallel, and returns the samples without publishing them. */
    public Round scrapeOnce() throws InterruptedException {
        List<Future<DcgmScrape.Result>> futures = new ArrayList<>();
        for (Target t : targets) {
            futures.add(workers.submit(() -> t.scraper.scrape()));
        }
        List<GpuSample> samples = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Future<DcgmScrape.Result> f : futures) {
            try {
                samples.addAll(f.get().samples());
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause().getMessage());
            }
        }
        return new Round(samples, failures);
    }

    /** Starts scraping every interval until {@link #close()}. */
    public void start() {
        ticker.scheduleAtFixedRate(this::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void round() {
        for (Target t : targets) {
            if (!t.inFlight.compareAndSet(false, true)) {
                t.skipped.incrementAndGet();
                continue;
            }
            workers.execute(() -> {
                long start = System.nanoTime();
                try {
                    DcgmScrape.Result r = t.scraper.scrape();
                    r.samples().forEach(sink::publish);
                    t.samples.addAndGet(r.samples().size());
                    t.lastSuccessMs.set(clock.millis());
                    if (!t.up) {
                        t.up = true;
                        LOG.info("dcgm-exporter {} is back: {} GPUs", t.url(), r.samples().size());
                    }
                } catch (DcgmExporterScraper.ScrapeException e) {
                    t.failures.incrementAndGet();
                    t.lastError = e.getMessage();
                    if (t.up) {
                        t.up = false;
                        LOG.warn("dcgm-exporter scrape failed, retrying every {}: {}", interval, e.getMessage());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    t.failures.incrementAndGet();
                    t.lastError = e.toString();
                    LOG.error("Unexpected error scraping {}", t.url(), e);
                } finally {
                    t.scrapes.incrementAndGet();
                    t.lastDurationNanos.set(System.nanoTime() - start);
                    t.inFlight.set(false);
                }
            });
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.flush();
    }
}
