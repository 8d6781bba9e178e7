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
 * itself, by at most its own deadline. A target's failures are logged once per change of state, not once per round,
 * and so is a target that answers with no readings at all. Every record passes the {@link RecordSanitizer} on its
 * way out, so an implausible value costs only itself.
 */
public final class ScrapeLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScrapeLoop.class);

    /** Health and counters of one target, for logs and the collector's own {@code /metrics}. */
    public static final class Target {
        final Source source;
        final AtomicBoolean inFlight = new AtomicBoolean();
        final AtomicLong scrapes = new AtomicLong(), failures = new AtomicLong(), skipped = new AtomicLong(),
                samples = new AtomicLong(), lastSuccessMs = new AtomicLong(), lastDurationNanos = new AtomicLong(),
                empty = new AtomicLong();
        volatile boolean up = true;
        volatile boolean yielding = true;
        volatile String lastError;

        Target(Source source) {
            this.source = source;
        }

        public String name() { return source.name(); }
        public long scrapes() { return scrapes.get(); }
        public long failures() { return failures.get(); }
        public long skipped() { return skipped.get(); }
        public long samples() { return samples.get(); }
        /** Scrapes that succeeded but gave no record: a target that answers yet reads nothing is a warning. */
        public long emptyScrapes() { return empty.get(); }
        public java.util.Map<String, Long> resourceErrors() { return source.resourceErrorCounts(); }
        public java.util.Map<String, Long> readingWarnings() { return source.readingWarnings(); }
        public long lastSuccessMs() { return lastSuccessMs.get(); }
        public double lastDurationSeconds() { return lastDurationNanos.get() / 1e9; }
        public boolean up() { return up; }
        public String lastError() { return lastError; }
    }

    /**
     * What one round of {@link #scrapeOnce()} produced: the records, one line per failed target, the targets that
     * answered with no readings, and one line per resource that failed inside a target that otherwise answered.
     */
    public record Round(List<TelemetryRecord> records, List<String> failures, List<String> emptyTargets,
                        List<String> resourceErrors) {
        public boolean clean() {
            return failures.isEmpty() && resourceErrors.isEmpty();
        }
    }

    /** How long after a source's own deadline {@link #scrapeOnce()} stops waiting for it. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(2);
    /** Targets scraped at the same time at most; more wait for a free worker. */
    public static final int MAX_CONCURRENT_TARGETS = 512;

    private final List<Target> targets = new ArrayList<>();
    private final RecordSanitizer sanitizer = new RecordSanitizer();
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
        this.workers = Executors.newFixedThreadPool(Math.min(MAX_CONCURRENT_TARGETS, Math.max(1, targets.size())),
                DaemonThreads.named("vigil-collector-scrape"));
    }

    public List<Target> targets() {
        return List.copyOf(targets);
    }

    public RecordSanitizer sanitizer() {
        return sanitizer;
    }

    /**
     * Scrapes every source once, in parallel, and returns the records without publishing them. It returns by the
     * largest source deadline plus {@link #DEADLINE_MARGIN} whatever the targets do: a target still busy then is
     * a failure, and what the others gave is kept.
     */
    public Round scrapeOnce() throws InterruptedException {
        long start = System.nanoTime();
        List<Future<List<TelemetryRecord>>> futures = new ArrayList<>();
        for (Target t : targets) {
            futures.add(workers.submit(() -> t.source.scrape()));
        }
        List<TelemetryRecord> samples = new ArrayList<>();
        List<String> failures = new ArrayList<>(), empty = new ArrayList<>(), resourceErrors = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            Target t = targets.get(i);
            Future<List<TelemetryRecord>> f = futures.get(i);
            long waitNanos = t.source.deadline().plus(DEADLINE_MARGIN).toNanos() - (System.nanoTime() - start);
            try {
                List<TelemetryRecord> records = f.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
                records.forEach(r -> samples.add(sanitizer.clean(r)));
                if (records.isEmpty()) empty.add(t.name());
                t.source.lastResourceErrors().forEach(line -> resourceErrors.add(t.name() + ": " + line));
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause().getMessage());
            } catch (java.util.concurrent.TimeoutException e) {
                f.cancel(true);
                failures.add(t.name() + ": no answer within its deadline of " + t.source.deadline().toMillis()
                        + " ms; left behind");
            }
        }
        return new Round(samples, failures, empty, resourceErrors);
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
                    records.forEach(r -> sink.publish(sanitizer.clean(r)));
                    t.samples.addAndGet(records.size());
                    t.lastSuccessMs.set(clock.millis());
                    if (records.isEmpty()) {
                        t.empty.incrementAndGet();
                        if (t.yielding) {
                            t.yielding = false;
                            LOG.warn("{} answered but gave no readings: check that it is the device you meant and"
                                    + " that it exposes power, cooling or GPU resources", t.name());
                        }
                    } else if (!t.yielding) {
                        t.yielding = true;
                        LOG.info("{} gives readings again: {} records", t.name(), records.size());
                    }
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
