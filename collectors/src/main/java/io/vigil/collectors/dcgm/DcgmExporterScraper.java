package io.vigil.collectors.dcgm;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import io.vigil.model.TelemetryRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * Scrapes one dcgm-exporter endpoint over HTTP and maps the body to GPU samples stamped with the scrape time.
 * A slow endpoint costs at most {@code timeout}; failures are thrown as {@link Source.ScrapeException} with the
 * target named, for the caller to count and log once per state change.
 */
public final class DcgmExporterScraper implements Source {

    private final HttpClient http;
    private final URI url;
    private final Duration timeout;
    private final DcgmScrape.Placement placement;
    private final OriginStamper origin;
    private final InstantSource clock;

    public DcgmExporterScraper(HttpClient http, URI url, Duration timeout, DcgmScrape.Placement placement,
                               OriginStamper origin, InstantSource clock) {
        this.http = http;
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

    @Override
    public List<TelemetryRecord> scrape() throws ScrapeException, InterruptedException {
        return List.copyOf(scrapeResult().samples());
    }

    /** The scrape with what was left out (unknown fields, bad lines), for diagnostics. */
    public DcgmScrape.Result scrapeResult() throws ScrapeException, InterruptedException {
        long ts = clock.millis();
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Accept", "text/plain;version=0.0.4").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ScrapeException(url + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        if (response.statusCode() != 200) {
            throw new ScrapeException(url + ": HTTP " + response.statusCode(), null);
        }
        return DcgmScrape.toSamples(response.body(), ts, placement, origin);
    }
}
