package io.vigil.model.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void oneHelpAndTypePerFamilyWithEscapedLabels() {
        String text = new PrometheusText()
                .counter("vigil_x_total", "Things.", 3, "reason", "a\"b\\c\nd")
                .gauge("vigil_y", "Level.", 0.5)
                .counter("vigil_x_total", "Things.", 4, "reason", "other")
                .render();
        assertThat(text).isEqualTo("""
                # HELP vigil_x_total Things.
                # TYPE vigil_x_total counter
                vigil_x_total{reason="a\\"b\\\\c\\nd"} 3
                vigil_x_total{reason="other"} 4
                # HELP vigil_y Level.
                # TYPE vigil_y gauge
                vigil_y 0.5
                """);
    }

    @Test
    void badNamesAndCountersWithoutTotalAreRefused() {
        assertThatThrownBy(() -> new PrometheusText().counter("vigil_x", "x", 1))
                .hasMessageContaining("_total");
        assertThatThrownBy(() -> new PrometheusText().gauge("vigil-x", "x", 1)).hasMessageContaining("vigil-x");
        assertThatThrownBy(() -> new PrometheusText().gauge("vigil_x", "x", 1, "9a", "v"))
                .hasMessageContaining("9a");
        assertThatThrownBy(() -> new PrometheusText().gauge("vigil_x", "x", 1).counter("vigil_x", "x", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(PrometheusText.sanitize("KafkaSource.records-lag")).isEqualTo("KafkaSource_records_lag");
        assertThat(PrometheusText.format(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.format(12)).isEqualTo("12");
    }

    @Test
    void theServerAnswersEachScrapeFromTheSupplierAndSurvivesAFailingOne() throws Exception {
        int[] scrapes = {0};
        try (MetricsServer server = MetricsServer.start("127.0.0.1:0", () -> {
            if (++scrapes[0] == 2) throw new IllegalStateException("boom");
            return JvmMetrics.addTo(new PrometheusText().gauge("vigil_scrape", "Scrape number.", scrapes[0]));
        })) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build();
            HttpResponse<String> first = http.send(get, HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("Content-Type")).hasValue(PrometheusText.CONTENT_TYPE);
            assertThat(first.body()).contains("vigil_scrape 1\n", "process_cpu_seconds_total ", "jvm_memory_used_bytes{area=\"heap\"}");
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(500);
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).contains("vigil_scrape 3\n");
        }
        assertThatThrownBy(() -> MetricsServer.parse("nohost")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> MetricsServer.parse("h:99999")).hasMessageContaining("HOST:PORT");
    }
}
