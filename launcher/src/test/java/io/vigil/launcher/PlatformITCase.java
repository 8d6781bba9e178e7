package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.RejectReason;
import io.vigil.model.Schema;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded platform end to end, as {@code ./vigil demo} runs it: a real KRaft broker, PostgreSQL, the detection
 * job on a Flink MiniCluster, the writer, the simulator and the dashboard JVM, checked through Kafka, SQL, HTTP and
 * a real browser.
 */
class PlatformITCase {

    static Platform platform;
    static PlatformConfig config;
    static int kafkaPort, dbPort, dashboardPort;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static int detectionMetricsPort, notificationMetricsPort, writerMetricsPort, simulatorMetricsPort,
            dashboardMetricsPort, kafkaMetricsPort;

    @BeforeAll
    static void start() throws Exception {
        kafkaPort = freePort();
        detectionMetricsPort = freePort();
        notificationMetricsPort = freePort();
        writerMetricsPort = freePort();
        simulatorMetricsPort = freePort();
        dashboardMetricsPort = freePort();
        kafkaMetricsPort = freePort();
        dbPort = freePort();
        dashboardPort = freePort();
        Map<String, String> o = new HashMap<>();
        o.put("kafka.embedded-port", String.valueOf(kafkaPort));
        o.put("db.embedded-port", String.valueOf(dbPort));
        o.put("data.dir", Path.of("target", "it-data-" + UUID.randomUUID()).toString());
        o.put("simulator.hosts", "4");
        o.put("simulator.jobs", "1");
        o.put("simulator.fault-script", "none");
        // Simulated time runs twice as fast as the wall clock, so heating and cooling take half as long.
        o.put("simulator.speed", "2");
        o.put("dashboard.port", String.valueOf(dashboardPort));
        o.put("simulator.control-port", "0");
        o.put("dashboard.jar", System.getProperty("vigil.dashboard.jar", "../dashboard/target/vigil-dashboard.jar"));
        o.put("dashboard.users-file", Path.of("target", "it-users-" + UUID.randomUUID()).toString());
        o.put("detection.checkpoint-interval", "1s");
        // The resolve is held until the root has stayed resolved this long (10 min by default): short here, so the
        // test sees the held resolve sent within its wait.
        o.put("detection.repage-quiet", "20s");
        o.put("writer.flush-interval", "200ms");
        o.put("metrics.detection-port", String.valueOf(detectionMetricsPort));
        o.put("metrics.notifications-port", String.valueOf(notificationMetricsPort));
        o.put("metrics.writer-port", String.valueOf(writerMetricsPort));
        o.put("metrics.simulator-port", String.valueOf(simulatorMetricsPort));
        o.put("metrics.dashboard-port", String.valueOf(dashboardMetricsPort));
        o.put("metrics.kafka-port", String.valueOf(kafkaMetricsPort));
        Settings s = Settings.load(PlatformConfig.catalog(), null, Map.of(), o);
        config = PlatformConfig.from(s, Path.of("").toAbsolutePath());
        platform = Platform.start(config, new PrintStream(System.out, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
            for (int port : List.of(kafkaPort, dbPort, dashboardPort)) {
                assertThat(listening(port)).as("port %d still listening after close", port).isFalse();
            }
        }
    }

    @Test
    void aThermalFaultBecomesExactlyOneAlertEverywhereAndResolves() throws Exception {
        // A GPU that trains: an idle GPU draws too little power to overheat even with a failing cold plate.
        String host = platform.simulator().topology().jobs().get(0).hosts().get(0);
        int gpu = 5;
        // Injected the way a user would, through the simulator's fault endpoint.
        String control = "http://127.0.0.1:" + platform.faultControlPort() + "/faults";
        HttpResponse<String> injected = HTTP.send(HttpRequest.newBuilder(URI.create(
                control + "?kind=thermal&host=" + host + "&gpu=" + gpu)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(injected.statusCode()).isEqualTo(200);
        assertThat(injected.body()).contains("thermal runaway on " + host + "/gpu" + gpu);

        // Firing: in the API, as one incident: its root a THERMAL alert on that GPU (the cold-plate check, hotter
        // than its peers, usually comes first; the device check, at its slowdown temperature, joins it).
        JsonNode firing = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> alertFor(host, gpu, "firing"), a -> a != null);
        assertThat(firing.get("type").asText()).isEqualTo("THERMAL");
        assertThat(firing.get("labels").get("root").asText()).isEqualTo("true");
        assertThat(firing.get("evidence").get("gpuTempC").asDouble()).isGreaterThan(50);
        String fingerprint = firing.get("fingerprint").asText();

        // ... in PostgreSQL, with the telemetry that caused it ...
        assertThat(sqlLong("SELECT count(*) FROM alert WHERE fingerprint = '" + fingerprint + "' AND state = 'FIRING'"))
                .isEqualTo(1);
        assertThat(sqlLong("SELECT count(*) FROM gpu_sample WHERE host = '" + host + "' AND gpu = " + gpu
                + " AND gpu_temp_c >= " + (firing.get("evidence").get("gpuTempC").asDouble() - 0.05))).isGreaterThan(0);

        // ... and on the dashboard, in a real browser.
        checkDashboardShowsTheAlert(host, gpu, fingerprint, firing.get("labels").path("job").asText());

        // Bad input goes to the dead-letter topic, and the job keeps running (it resolves the alert below).
        produce(platform.topics().gpu(), "{\"schema\":\"vigil.gpu.v1\",\"ts\":\"yesterday\"}");
        DeadLetter letter = await().atMost(Duration.ofMinutes(1)).until(
                () -> readAll(platform.topics().deadLetter()).stream().map(r -> WireFormat.decodeDeadLetter(r.value()))
                        .findFirst().orElse(null), l -> l != null);
        assertThat(letter.reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(letter.payload()).contains("yesterday");

        HttpResponse<String> cleared = HTTP.send(HttpRequest.newBuilder(URI.create(control)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cleared.body()).contains("cleared 1");
        JsonNode resolved = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> alertFor(host, gpu, "resolved"), a -> a != null);
        assertThat(resolved.get("endsAt").isNull()).isFalse();
        assertThat(sqlLong("SELECT count(*) FROM alert WHERE fingerprint = '" + fingerprint + "'")).isEqualTo(1);

        // On the alert topic: for each alert, exactly one firing and one resolved event, all of them the one
        // incident of that GPU, and nothing for the healthy GPUs.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            List<AlertEvent> all = alertEvents();
            return all.stream().filter(e -> e.state() == AlertEvent.State.RESOLVED).count()
                    == all.stream().filter(e -> e.state() == AlertEvent.State.FIRING).count();
        });
        List<AlertEvent> events = alertEvents();
        Map<String, List<AlertEvent.State>> byFingerprint = new java.util.HashMap<>();
        events.forEach(e -> byFingerprint.computeIfAbsent(e.fingerprint(), f -> new java.util.ArrayList<>()).add(e.state()));
        assertThat(byFingerprint).containsKey(fingerprint);
        assertThat(byFingerprint.values()).allSatisfy(states ->
                assertThat(states).containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED));
        assertThat(events).allSatisfy(e -> {
            assertThat(e.labels()).containsEntry("host", host).containsEntry("gpu", String.valueOf(gpu))
                    .containsEntry("incident", fingerprint);
        });
        assertThat(events).filteredOn(e -> "true".equals(e.labels().get("root")))
                .extracting(AlertEvent::fingerprint).containsOnly(fingerprint);

        // Notified once, resolved once: in the delivery log and in the inbox.
        JsonNode attempts = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                WireFormat.mapper().readTree(HTTP.send(api(platform.dashboardUrl()
                        + "/api/v1/notifications?incident=" + fingerprint).build(), HttpResponse.BodyHandlers.ofString())
                        .body()), a -> a.toString().contains("\"resolve\""));
        List<String> delivered = new java.util.ArrayList<>();
        attempts.forEach(a -> {
            if (a.get("outcome").asText().equals("delivered")) delivered.add(a.get("action").asText());
            assertThat(a.get("receiver").asText()).isEqualTo("inbox");
            assertThat(a.get("latencyMs").asLong()).isGreaterThanOrEqualTo(0);
        });
        assertThat(delivered).contains("trigger", "resolve").doesNotContain("repeat");
        assertThat(delivered.stream().filter(a -> a.equals("trigger") || a.equals("resolve"))).hasSize(2);
        JsonNode inbox = WireFormat.mapper().readTree(HTTP.send(api(
                platform.dashboardUrl() + "/api/v1/inbox").build(), HttpResponse.BodyHandlers.ofString()).body());
        List<String> received = new java.util.ArrayList<>();
        inbox.forEach(m -> {
            if (m.get("incident").asText().equals(fingerprint)) received.add(m.get("action").asText());
        });
        assertThat(received).contains("trigger", "resolve");
        assertThat(received.stream().filter(a -> a.equals("trigger") || a.equals("resolve"))).hasSize(2);

        // The inbox the notification job signed for is closed to anyone else: an anonymous Alertmanager-style post
        // is refused and not stored.
        String forged = "{\"version\":\"4\",\"status\":\"firing\",\"vigilNotificationId\":\"forged-1\","
                + "\"alerts\":[{\"labels\":{\"incident\":\"forged\"}}]}";
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(platform.dashboardUrl()
                + "/api/v1/inbox")).POST(HttpRequest.BodyPublishers.ofString(forged))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(HTTP.send(api(platform.dashboardUrl() + "/api/v1/inbox").build(), HttpResponse.BodyHandlers.ofString())
                .body()).doesNotContain("forged-1");

        // Every component for Prometheus, without credentials: detection's router counters, the inbox's delivery
        // figures as an endpoint, the writer's, the simulator's and the console's own.
        String detectionMetrics = metrics(detectionMetricsPort);
        assertThat(detectionMetrics).contains("\nvigil_accepted_late_total{", "\nvigil_rejected_late_total{",
                "\nvigil_stored_not_judged_total{", "\n# TYPE vigil_rejected_late_total counter\n",
                "\nflink_taskmanager_job_task_operator_numRecordsIn{");
        String notificationMetrics = metrics(notificationMetricsPort);
        assertThat(notificationMetrics).contains("\nvigil_endpoint_in_flight{", "\nvigil_endpoint_failures{",
                        "\nvigil_endpoint_failing{", "\nvigil_endpoint_breaker{")
                .contains("inbox");
        assertThat(sample(metrics(writerMetricsPort), "vigil_writer_records_written_total")).isPositive();
        assertThat(sample(metrics(simulatorMetricsPort), "vigil_simulator_records_published_total")).isPositive();
        String dashboardMetrics = metrics(dashboardMetricsPort);
        assertThat(dashboardMetrics).contains("\nvigil_dashboard_live_views ",
                "\nvigil_dashboard_db_connections{state=\"active\"} ", "\nprocess_cpu_seconds_total ");
        assertThat(sample(dashboardMetrics, "vigil_dashboard_gpus")).isPositive();
        String kafkaMetrics = metrics(kafkaMetricsPort);
        assertThat(sample(kafkaMetrics, "vigil_kafka_messages_in_total")).isPositive();
        assertThat(sample(kafkaMetrics, "vigil_kafka_active_controller")).isEqualTo(1.0);
        assertThat(sample(kafkaMetrics, "vigil_kafka_offline_partitions")).isZero();
    }

    static String metrics(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("/metrics on " + port).isEqualTo(200);
        assertThat(r.body().lines().filter(l -> l.startsWith("vigil_"))).as("vigil_ samples on " + port).isNotEmpty();
        return r.body();
    }

    /** The value of an unlabelled sample. */
    static double sample(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1))).orElseThrow(() ->
                        new AssertionError(name + " not in\n" + metrics));
    }

    @Test
    void theHistoryApiAnswersACapacityTeamsQuestionsInJsonAndCsv() throws Exception {
        String base = platform.dashboardUrl() + "/api/v1/history";
        JsonNode racks = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(
                () -> WireFormat.mapper().readTree(get(base + "/capacity/racks?from=-10m").body()), n -> n.size() > 0);
        for (JsonNode r : racks) {
            assertThat(r.get("peakW").asDouble()).isGreaterThanOrEqualTo(r.get("p95W").asDouble()).isPositive();
            // A rack measured by its PDUs is within their capacity; one without (its GPUs, a lower bound) has none.
            if ("pdu".equals(r.path("source").asText())) {
                assertThat(r.get("rack").asText()).isNotEmpty();
                assertThat(r.get("peakW").asDouble()).isLessThanOrEqualTo(r.get("capacityW").asDouble());
            }
        }
        assertThat(racks).as("the simulated racks have PDUs").anyMatch(r -> "pdu".equals(r.path("source").asText()));
        HttpResponse<String> csv = get(base + "/capacity/racks?from=-10m&format=csv");
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.body().lines().findFirst().orElse("")).startsWith("cluster,row,rack,peakW,p95W,p99W");
        JsonNode teams = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).until(
                () -> WireFormat.mapper().readTree(get(base + "/gpu-hours?from=-1h&by=team").body()), n -> n.size() > 0);
        assertThat(teams.get(0).get("team").asText()).startsWith("team-");
        assertThat(teams.get(0).get("gpuHours").asDouble()).isPositive();
        // Every GET the OpenAPI file documents answers (those without required parameters, as they stand).
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) new org.yaml.snakeyaml.Yaml()
                .<Map<String, Object>>load(Files.readString(Path.of(System.getProperty("vigil.schema.dir",
                        "../docs/schema")).resolve("../openapi.yaml"))).get("paths");
        int checked = 0;
        for (var e : paths.entrySet()) {
            if (e.getKey().contains("{") || !e.getValue().containsKey("get") || e.getKey().endsWith("/history/gpu")
                    || e.getKey().endsWith("/history/series")) continue;
            assertThat(get(platform.dashboardUrl() + e.getKey()).statusCode()).as(e.getKey()).isEqualTo(200);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
        String host = platform.simulator().topology().hosts().get(0).name();
        HttpResponse<String> series = get(base + "/gpu?cluster=demo&host=" + host + "&gpu=0&metric=power_mean_w&from=-5m");
        assertThat(series.statusCode()).isEqualTo(200);
        assertThat(WireFormat.mapper().readTree(series.body()).size()).isPositive();

        // A rack's PDU load per minute, from the rack rollups the writer derives.
        String rack = racks.get(0).get("rack").asText();
        JsonNode rackSeries = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).until(
                () -> WireFormat.mapper().readTree(get(base + "/series?entity=rack&id=" + rack
                        + "&metric=pdu_power_w&from=-10m&resolution=1m").body()), n -> n.size() > 0);
        assertThat(rackSeries.get(0).get("value").asDouble()).isPositive();
        assertThat(get(base + "/capacity/racks?from=-10m&resolution=1m").body()).contains("\"resolution\":\"1m\"");
        HttpResponse<String> badSeries = get(base + "/series?entity=rack&id=" + rack + "&metric=nope");
        assertThat(badSeries.statusCode()).isEqualTo(400);
        assertThat(badSeries.body()).contains("pdu_power_w");

        HttpResponse<String> bad = get(base + "/capacity/racks?from=yesterday");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("'from' must be an RFC 3339 time");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(api(url).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request to the dashboard as the demo's admin (HTTP Basic with the password the demo generated). */
    static HttpRequest.Builder api(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic("admin", platform.adminPassword()));
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void publishedTelemetryValidatesAgainstTheDocumentedSchemas() throws Exception {
        Path dir = Path.of(System.getProperty("vigil.schema.dir", "../docs/schema"));
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        for (Schema kind : List.of(Schema.GPU, Schema.POWER, Schema.COOLING, Schema.JOB)) {
            JsonSchema schema = factory.getSchema(Files.readString(dir.resolve(kind.schemaFileName())));
            List<ConsumerRecord<byte[], byte[]>> records = await().atMost(Duration.ofMinutes(1))
                    .until(() -> readAll(platform.topics().topicFor(kind)), r -> r.size() >= (kind == Schema.JOB ? 1 : 5));
            for (ConsumerRecord<byte[], byte[]> r : records.subList(0, Math.min(5, records.size()))) {
                assertThat(schema.validate(WireFormat.mapper().readTree(r.value()))).as(kind.id()).isEmpty();
            }
        }
    }

    @Test
    void theApiRefusesAnUnknownStateClearly() throws Exception {
        HttpResponse<String> r = HTTP.send(api(platform.dashboardUrl() + "/api/v1/alerts?state=burning").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("firing").contains("burning");
        HttpResponse<String> health = HTTP.send(api(platform.dashboardUrl() + "/actuator/health").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
    }

    /** Screenshots of every view, kept as CI artefacts. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static void checkDashboardShowsTheAlert(String host, int gpu, String incident, String job) throws Exception {
        // A viewer, added the way a user would: ./vigil user add runs this same class from the dashboard's jar.
        addUser("vera", "viewer", "viewer-password");
        String base = platform.dashboardUrl();
        try (Playwright pw = io.vigil.testsupport.Chromium.playwright();
             Browser browser = io.vigil.testsupport.Chromium.launch(pw)) {
            Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 900)).newPage();
            try {
                browse(page, browser, base, host, gpu, incident, job);
            } catch (RuntimeException | Error e) {
                shot(page, "failure");
                int n = 0;
                for (var context : browser.contexts()) {
                    for (Page p : context.pages()) {
                        if (p != page) shot(p, "failure-" + (++n));
                    }
                }
                throw new AssertionError("browser at " + page.url() + " (screenshot target/screenshots/failure.png): "
                        + e.getMessage(), e);
            }
        }
    }

    private static void browse(Page page, Browser browser, String base, String host, int gpu, String incident,
                               String job) throws Exception {
        {
            // Nobody gets in without signing in; a deep link survives the sign-in.
            page.navigate(base + "/" + "incidents/" + incident);
            page.waitForSelector("vaadin-login-form", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(page.url()).endsWith("/login");
            signIn(page, "admin", "wrong-password");
            page.waitForSelector("vaadin-login-form[error]", new Page.WaitForSelectorOptions().setTimeout(10_000));
            signIn(page, "admin", platform.adminPassword());
            // Back at the page first asked for (Spring adds ?continue to the saved request).
            page.waitForURL(u -> u.contains("/incidents/" + incident), new Page.WaitForURLOptions().setTimeout(30_000));
            assertThat(page.locator("#signed-in-as").textContent()).contains("admin").contains("admin");

            // The incident: its root and evidence — the GPU's temperature against its host's other GPUs.
            page.waitForSelector("#incident-tree >> text=THERMAL", new Page.WaitForSelectorOptions().setTimeout(30_000));
            page.waitForFunction("() => [...document.querySelectorAll('#incident-evidence vigil-chart')]"
                    + ".some(c => Number(c.dataset.series) >= 8)", null, new Page.WaitForFunctionOptions().setTimeout(30_000));
            assertThat(page.locator("#incident-affects").textContent()).contains("job " + job);
            shot(page, "incident");
            // Acknowledged as the signed-in operator (admin includes operator): the page and the API say who.
            page.locator("#incident-ack").click();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> HTTP.send(
                    api(base + "/api/v1/incidents/" + incident).build(), HttpResponse.BodyHandlers.ofString()).body(),
                    b -> b.contains("\"acknowledgedBy\":\"admin\""));
            page.waitForSelector("#incident-state >> text=acknowledged by admin",
                    new Page.WaitForSelectorOptions().setTimeout(30_000));

            // The overview: one canvas for every GPU; the faulty GPU's square carries an alert's colour.
            page.navigate(base + "/");
            page.waitForSelector("#heatmap[data-cells='32']", new Page.WaitForSelectorOptions().setTimeout(30_000));
            Object health = page.evaluate("([h, g]) => { const m = document.querySelector('#heatmap');"
                    + " const i = m._rects.findIndex(r => r[2] === h && r[3] === g); return i < 0 ? -1 : m._cells[i]; }",
                    List.of(host, gpu));
            assertThat(((Number) health).intValue()).as("health code of the faulty GPU (0 critical, 1 warning)").isIn(0, 1);
            // ... and it is really drawn: the pixel at its square is red or orange, not blank.
            Object pixel = page.evaluate("([h, g]) => { const m = document.querySelector('#heatmap');"
                    + " const r = m._rects.find(r => r[2] === h && r[3] === g); const c = m.querySelector('canvas');"
                    + " const d = c.getContext('2d').getImageData(Math.round((r[0] + 1) * m._dpr),"
                    + " Math.round((r[1] + 1) * m._dpr), 1, 1).data; return [d[0], d[1], d[2], d[3], c.clientHeight]; }",
                    List.of(host, gpu));
            List<?> rgba = (List<?>) pixel;
            assertThat(((Number) rgba.get(3)).intValue()).as("alpha").isEqualTo(255);
            assertThat(((Number) rgba.get(0)).intValue()).as("red").isGreaterThan(200);
            assertThat(((Number) rgba.get(2)).intValue()).as("blue").isLessThan(80);
            assertThat(((Number) rgba.get(4)).intValue()).as("canvas height").isBetween(10, 300);
            assertThat(page.locator("#overview-summary").textContent()).contains("32 GPUs");
            assertThat(page.locator("#overview-incidents").textContent()).contains("1 incident firing");
            assertThat(page.locator("vaadin-button, button").count()).isLessThan(40); // not one element per GPU
            shot(page, "overview");

            // Incidents: one row for the incident, not one per alert.
            page.navigate(base + "/incidents");
            page.waitForSelector("#incidents-grid >> text=THERMAL", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(page.locator("#incidents-grid").textContent()).contains("admin");
            shot(page, "incidents");

            // The GPU and the job, by their deep links.
            page.navigate(base + "/gpus/demo/" + host + "/" + gpu);
            page.waitForSelector("#gpu-chart-temp_max_c[data-series='1'] canvas", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(page.locator("#gpu-job").textContent()).contains(job);
            shot(page, "gpu");
            page.navigate(base + "/jobs/" + job);
            page.waitForSelector("#job-ranks[data-frames]", new Page.WaitForSelectorOptions().setTimeout(30_000));
            page.waitForSelector("#job-alerts >> text=THERMAL", new Page.WaitForSelectorOptions().setTimeout(30_000));
            shot(page, "job");
            page.navigate(base + "/jobs");
            page.waitForSelector("#jobs-list >> text=" + job, new Page.WaitForSelectorOptions().setTimeout(30_000));
            shot(page, "jobs");
            page.navigate(base + "/facility");
            page.waitForSelector("#facility-floor .vigil-floor-rack", new Page.WaitForSelectorOptions().setTimeout(60_000));
            assertThat(page.locator("#facility-cdus").textContent()).contains("CDU");
            shot(page, "facility");

            // ... plans maintenance on a rack from the Notifications page ...
            page.navigate(base + "/notifications");
            page.waitForSelector("#silence-matchers input", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(page.content()).contains("On-call, last 7 days");
            page.locator("#silence-matchers input").fill("rack=\"Z99\"");
            page.locator("vaadin-button:has-text('Create')").click();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> HTTP.send(
                    api(base + "/api/v1/silences").build(), HttpResponse.BodyHandlers.ofString()).body(),
                    b -> b.contains("Z99") && b.contains("\"createdBy\":\"admin\""));
            shot(page, "notifications");

            // Capacity: the racks' power against their PDUs' capacity, drawn by ECharts, with its CSV link.
            page.navigate(base + "/capacity");
            page.waitForSelector("#rack-power-chart[data-series='3'] canvas",
                    new Page.WaitForSelectorOptions().setTimeout(30_000));
            page.waitForSelector("text=Racks as CSV", new Page.WaitForSelectorOptions().setTimeout(10_000));
            assertThat(page.locator("vaadin-grid").first().textContent()).contains("A01");
            // The jobs, from the job rollups (refreshed every 10 s; the page reloads every 30 s).
            page.waitForFunction("() => (document.querySelector('#jobs-grid')?.textContent || '').includes('demo/')",
                    null, new Page.WaitForFunctionOptions().setTimeout(70_000));
            shot(page, "capacity");
            page.navigate(base + "/admin");
            page.waitForSelector("#admin-audit >> text=ACKNOWLEDGE", new Page.WaitForSelectorOptions().setTimeout(30_000));
            shot(page, "admin");

            // A viewer sees the incident but has no Acknowledge button, cannot open the admin page, and the API
            // refuses the action.
            Page viewer = browser.newContext().newPage();
            viewer.navigate(base + "/login");
            signIn(viewer, "vera", "viewer-password");
            viewer.waitForURL(u -> !u.contains("/login"), new Page.WaitForURLOptions().setTimeout(30_000));
            viewer.navigate(base + "/");
            viewer.waitForSelector("#overview-summary", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(viewer.locator("#signed-in-as").textContent()).contains("vera").contains("viewer");
            viewer.navigate(base + "/incidents/" + incident);
            viewer.waitForSelector("#incident-tree >> text=THERMAL", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(viewer.locator("#incident-ack").isVisible()).isFalse();
            viewer.navigate(base + "/admin");
            viewer.waitForLoadState();
            assertThat(viewer.locator("#admin-audit").count()).isZero();
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/incidents/"
                    + incident + "/ack")).header("Authorization", basic("vera", "viewer-password"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
        }
    }

    private static void signIn(Page page, String user, String password) {
        page.locator("vaadin-login-form input[name='username']").fill(user);
        page.locator("vaadin-login-form input[name='password']").fill(password);
        page.locator("vaadin-login-form vaadin-button[slot='submit'], vaadin-login-form vaadin-button:has-text('Log in')")
                .first().click();
    }

    private static void shot(Page page, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    /** Runs ./vigil user add's class from the dashboard's jar against the demo's users file. */
    private static void addUser(String name, String role, String password) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", config.dashboardJar().toString(), "-Dloader.main=io.vigil.dashboard.security.UserFileCli",
                "org.springframework.boot.loader.launch.PropertiesLauncher", "add", name, "--role", role,
                "--password-stdin", "--file", config.dashboardUsersFile().toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("Added user " + name);
    }

    private static JsonNode alertFor(String host, int gpu, String state) throws Exception {
        HttpResponse<String> r = HTTP.send(api(platform.dashboardUrl() + "/api/v1/alerts?state=" + state).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        for (JsonNode a : WireFormat.mapper().readTree(r.body())) {
            JsonNode labels = a.get("labels");
            if (host.equals(labels.path("host").asText()) && String.valueOf(gpu).equals(labels.path("gpu").asText())) {
                return a;
            }
        }
        return null;
    }

    private static List<AlertEvent> alertEvents() throws Exception {
        return readAll(platform.topics().alerts()).stream()
                .map(r -> (AlertEvent) new WireFormat(io.vigil.model.TelemetryValidator.withSystemClock())
                        .decode(r.value(), Schema.ALERT).record())
                .toList();
    }

    private static long sqlLong(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(platform.jdbcUrl(), "vigil", "vigil");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void produce(String topic, String value) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", platform.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** Every committed record of the topic, from the beginning. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return io.vigil.testsupport.KafkaRecords.readCommitted(platform.bootstrapServers(), topic);
    }

    private static int freePort() throws IOException {
        return io.vigil.testsupport.FreePorts.free();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
