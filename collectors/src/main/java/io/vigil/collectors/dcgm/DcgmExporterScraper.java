package io.vigil.collectors.dcgm;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import io.vigil.model.TelemetryRecord;
import java.io.IOException;
import java.net.URI;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * Scrapes one dcgm-exporter endpoint over HTTP and maps the body to GPU samples stamped with the scrape time.
 * A slow endpoint costs at most {@code timeout}; failures are thrown as {@link Source.ScrapeException} with the
 * target named, for the caller to count and log once per state change.
 */
public final class DcgmExporterScraper implements Source {

    private final URI url;
    private final Duration timeout;
    private final DcgmScrape.Placement placement;
    private final OriginStamper origin;
    private final InstantSource clock;

    public DcgmExporterScraper(URI url, Duration timeout, DcgmScrape.Placement placement, OriginStamper origin,
                               InstantSource clock) {
        this.url = url;
        this.timeout = timeout;
        this.placement = placement;
        this.origin = origin;
        this.clock = clock;
    }

    public URI url() {
        return url;
    }

    @Override
    public String name() {
        return "dcgm-exporter " + url;
    }

    /**
     * Connecting and each read of the body are bounded by {@code timeout}; the whole exchange, body included, by
     * twice that, after which the connection is closed.
     */
    @Override
    public Duration deadline() {
        return timeout.multipliedBy(2);
    }

    /** Ends exchanges that outlive their deadline; one daemon thread for every target. */
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    io.vigil.collectors.DaemonThreads.named("vigil-dcgm-deadline"));

    private final java.util.concurrent.atomic.AtomicLong badLines = new java.util.concurrent.atomic.AtomicLong();
    private volatile List<String> lastErrors = List.of();

    @Override
    public List<TelemetryRecord> scrape() throws ScrapeException, InterruptedException {
        DcgmScrape.Result r = scrapeResult();
        badLines.addAndGet(r.errors().size());
        lastErrors = r.errors().isEmpty() ? List.of() : List.of("bad_line " + r.errors().size()
                + " line(s) not understood and skipped, first: line " + r.errors().get(0).line() + ": "
                + r.errors().get(0).message());
        return List.copyOf(r.samples());
    }

    /** Lines of the exposition that could not be read, since start: each costs only itself. */
    @Override
    public java.util.Map<String, Long> resourceErrorCounts() {
        return java.util.Map.of("bad_line", badLines.get());
    }

    @Override
    public List<String> lastResourceErrors() {
        return lastErrors;
    }

    /** The scrape with what was left out (unknown fields, bad lines), for diagnostics. */
    public DcgmScrape.Result scrapeResult() throws ScrapeException, InterruptedException {
        long ts = clock.millis();
        byte[] body;
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> watchdog = null;
        long budgetMs = deadline().toMillis();
        try {
            // Blocking HttpURLConnection (keep-alive) rather than java.net.http: each target has its own worker,
            // and at 128 endpoints per second it costs about a third less CPU (see docs/benchmarks.md).
            HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
            int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            c.setConnectTimeout(ms);
            c.setReadTimeout(ms);
            c.setRequestProperty("Accept", "text/plain;version=0.0.4");
            // The whole exchange, body included, ends by the deadline: an exporter that drips its body a few bytes
            // at a time never trips the per-read timeout, so it is cut off here.
            watchdog = WATCHDOG.schedule(() -> {
                cut.set(true);
                c.disconnect();
            }, budgetMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            int status = c.getResponseCode();
            if (status != 200) {
                c.disconnect();
                throw new ScrapeException(url + ": HTTP " + status, null);
            }
            try (InputStream in = c.getInputStream()) {
                body = in.readAllBytes();
            }
        } catch (IOException e) {
            if (cut.get()) {
                throw new ScrapeException(url + ": no complete answer within " + budgetMs + " ms", e);
            }
            throw new ScrapeException(url + ": " + io.vigil.collectors.PlainWords.of(e), e);
        } finally {
            if (watchdog != null) watchdog.cancel(false);
        }
        if (cut.get()) throw new ScrapeException(url + ": no complete answer within " + budgetMs + " ms", null);
        // The exposition format is UTF-8; label values are the only place non-ASCII can appear.
        return DcgmScrape.toSamples(new String(body, StandardCharsets.UTF_8), ts, placement, origin);
    }
}
