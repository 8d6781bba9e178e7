package io.vigil.collectors;

import io.vigil.model.TelemetryRecord;
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
 * Reads every source once per interval and hands the records to a sink. Each source is scraped on its own worker,
 * and a source still busy from the previous round is skipped (and counted), so a dead or slow target delays only
 * itself, by at most its own timeout. A target's failures are logged once per change of state, not once per round.
 */
public final class ScrapeLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScrapeLoop.class);

    /** Health and counters of one target, for logs and the collector's own {@code /metrics}. */
    public static final class Target {
        final Source source;
        final AtomicBoolean inFlight = new AtomicBoolean();
        final AtomicLong scrapes = new AtomicLong(), failures = new AtomicLong(), skipped = new AtomicLong(),
                samples = new AtomicLong(), lastSuccessMs = new AtomicLong(), lastDurationNanos = new AtomicLong();
        volatile boolean up = true;
        volatile String lastError;

        Target(Source source) {
            this.source = source;
        }

        public String name() { return source.name(); }
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
    public record Round(List<TelemetryRecord> records, List<String> failures) {}

    private final List<Target> targets = new ArrayList<>();
    private final TelemetrySink sink;
    private final Duration interval;
    private final InstantSource clock;
    private final ExecutorService workers;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vigil-collector-tick"));

    public ScrapeLoop(List<Source> sources, Duration interval, TelemetrySink sink, InstantSource clock) {
        this.sink = sink;
        this.interval = interval;
        this.clock = clock;
        sources.forEach(s -> targets.add(new Target(s)));
        this.workers = Executors.newFixedThreadPool(Math.min(64, Math.max(1, targets.size())),
                DaemonThreads.named("vigil-collector-scrape"));
    }

    public List<Target> targets() {
        return List.copyOf(targets);
    }

    /** Scrapes every source once, in parallel, and returns the records without publishing them. */
    public Round scrapeOnce() throws InterruptedException {
        List<Future<List<TelemetryRecord>>> futures = new ArrayList<>();
        for (Target t : targets) {
            futures.add(workers.submit(() -> t.source.scrape()));
        }
        List<TelemetryRecord> samples = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Future<List<TelemetryRecord>> f : futures) {
            try {
                samples.addAll(f.get());
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
                    List<TelemetryRecord> records = t.source.scrape();
                    records.forEach(sink::publish);
                    t.samples.addAndGet(records.size());
                    t.lastSuccessMs.set(clock.millis());
                    if (!t.up) {
                        t.up = true;
                        LOG.info("{} is back: {} records", t.name(), records.size());
                    }
                } catch (Source.ScrapeException e) {
                    t.failures.incrementAndGet();
                    t.lastError = e.getMessage();
                    if (t.up) {
                        t.up = false;
                        LOG.warn("Scrape failed, retrying every {}: {}", interval, e.getMessage());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    t.failures.incrementAndGet();
                    t.lastError = e.toString();
                    LOG.error("Unexpected error scraping {}", t.name(), e);
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
        for (Target t : targets) {
            if (t.source instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("Closing {}: {}", t.name(), e.toString());
                }
            }
        }
    }
}
