package io.vigil.evaluation.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.Origin;
import io.vigil.model.WireFormat;
import io.vigil.notify.NotificationJob;
import io.vigil.notify.NotifyConfig;
import io.vigil.notify.delivery.DeliveryConfig;
import io.vigil.notify.incident.NotifyControl;
import io.vigil.notify.routing.RoutingConfig;
import io.vigil.testsupport.AlertmanagerProcess;
import io.vigil.testsupport.CollectingSink;
import io.vigil.testsupport.ReceiverStub;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./vigil bench notifications [--json] [--per-minute N] [--seconds S] [--burst N] [--black-hole]}: the notification job
 * ({@link NotificationJob}, the production graph) on a local MiniCluster, three receivers on loopback.
 * <ol>
 * <li>Paced: {@code N} incidents per minute (default 1,000) fire for {@code S} seconds and then resolve. Every
 * incident goes to a webhook and a Slack stand-in directly, and to a real Alertmanager 0.25 (group_wait 0, one group
 * per incident) that forwards it to a third stand-in: latency from the alert entering the job to each receiver, p50
 * and p99, for Vigil's direct path and, in the same run, through Alertmanager; CPU of this JVM and of
 * Alertmanager.</li>
 * <li>Burst: {@code --burst} incidents (default 5,000) as fast as the source goes, to the webhook only:
 * notifications delivered per second.</li>
 * <li>With {@code --black-hole}, isolation: the paced load to a webhook alone, then again with every incident also
 * routed to an endpoint that accepts connections and never answers (the worst dead receiver: each try waits out the
 * request timeout); the webhook's latency in both, in the same run. The promise is that the dead endpoint delays the
 * other's pages by nothing.</li>
 * </ol>
 * Latency here starts when the alert enters the notification job; on a deployment, alerts reach it when the detection
 * checkpoint that produced them commits (up to one checkpoint interval, 2 s by default), for either path.
 */
public final class NotificationBenchmark {

    static final Pattern GENERATED = Pattern.compile("generatedAtMs=(\\d+)");

    public record Result(int incidentsPerMinute, int incidents, Double directP50Ms, Double directP99Ms,
                         Double slackP50Ms, Double slackP99Ms, Double alertmanagerP50Ms, Double alertmanagerP99Ms,
                         int directMeasured, int alertmanagerMeasured, double jvmCpuCores,
                         Double alertmanagerCpuCores, int burstIncidents, double burstNotificationsPerSecond,
                         long failedAttempts, Isolation isolation) {}

    /**
     * The black-hole phase: the webhook's latency alone and beside a dead endpoint, the connections the dead endpoint
     * swallowed, and the dead endpoint's notifications that ended before the phase stopped (attempts are recorded
     * when a notification's last try ends: those refused at once for a full backlog; the rest were still retrying).
     */
    public record Isolation(int incidents, Double aloneP50Ms, Double aloneP99Ms, int aloneMeasured,
                            Double besideDeadP50Ms, Double besideDeadP99Ms, int besideDeadMeasured,
                            long deadConnections, long deadAttemptsEnded, long deadBacklogFull) {}

    private NotificationBenchmark() {}

    /** Incident {@code n}'s alert: FIRING for the first {@code total} indexes, RESOLVED for the next. */
    static final class Incidents implements GeneratorFunction<Long, AlertEvent> {
        private final long total;
        private final long base;

        Incidents(long total, long base) {
            this.total = total;
            this.base = base;
        }

        @Override
        public AlertEvent map(Long index) {
            boolean firing = index < total;
            long n = firing ? index : index - total;
            Map<String, String> labels = Map.of("cluster", "bench", "host", "h" + (n % 4096), "gpu",
                    String.valueOf(n % 8), "rack", "r" + (n % 64), "scope", "gpu", io.vigil.model.IncidentLabels.INCIDENT, "inc" + n,
                    io.vigil.model.IncidentLabels.ROOT, "true");
            Instant start = Instant.ofEpochMilli(base + n);
            long now = System.currentTimeMillis();
            return new AlertEvent("inc" + n, AlertType.THERMAL, AlertEvent.Severity.CRITICAL,
                    firing ? AlertEvent.State.FIRING : AlertEvent.State.RESOLVED, start,
                    firing ? null : Instant.ofEpochMilli(now), labels, "GPU hot", Map.of("generatedAtMs", (double) now),
                    new Origin("bench", 0, index + 1), Instant.ofEpochMilli(now));
        }
    }

    static NotificationJob job(long total, double eventsPerSecond, String routing, CollectingSink<NotificationAttempt> sink) {
        DataGeneratorSource<AlertEvent> alerts = new DataGeneratorSource<>(new Incidents(total,
                System.currentTimeMillis()), eventsPerSecond <= 0 ? total : 2 * total,
                eventsPerSecond <= 0 ? RateLimiterStrategy.noOp() : RateLimiterStrategy.perSecond(eventsPerSecond),
                TypeInformation.of(AlertEvent.class));
        DataGeneratorSource<NotifyControl> none = new DataGeneratorSource<>(i -> NotifyControl.of((io.vigil.model.Silence) null),
                0, TypeInformation.of(NotifyControl.class));
        return new NotificationJob(alerts, none, sink, new NotifyConfig(RoutingConfig.parse(routing, "bench"), null,
                Duration.ofMinutes(10), new DeliveryConfig(Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofHours(1), Duration.ofSeconds(10)), 10_000));
    }

    static StreamExecutionEnvironment env() {
        Configuration c = new Configuration();
        c.set(CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
        return StreamExecutionEnvironment.createLocalEnvironment(2, c);
    }

    /**
     * The paced load to a webhook alone, then with a copy of every incident to a black hole; the second job is
     * cancelled once the webhook has every page and resolution (the dead endpoint's notifications would wait for
     * their give-up limits).
     */
    static Isolation isolation(int incidents, int seconds) throws Exception {
        try (ReceiverStub alone = new ReceiverStub(); ReceiverStub beside = new ReceiverStub();
             java.net.ServerSocket hole = new java.net.ServerSocket(0, 1000, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> swallowed = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread t = new Thread(() -> {
                while (!hole.isClosed()) {
                    try {
                        swallowed.add(hole.accept());
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "bench-black-hole");
            t.setDaemon(true);
            t.start();
            try {
                String aloneRouting = """
                        route: {receiver: direct, group_wait: 0s}
                        receivers:
                          - {name: direct, webhook_configs: [{url: '%s/hook'}]}
                        """.formatted(alone.url());
                StreamExecutionEnvironment env = env();
                job(incidents, incidents / (double) seconds, aloneRouting, new CollectingSink<>()).build(env);
                env.executeAsync("bench-notifications-alone").getJobExecutionResult().get();
                List<Long> a = latencies(alone, "firing");

                String besideRouting = """
                        route:
                          receiver: direct
                          group_wait: 0s
                          routes:
                            - {matchers: ['severity=~".*"'], receiver: dead, continue: true}
                            - {matchers: ['severity=~".*"'], receiver: direct}
                        receivers:
                          - {name: direct, webhook_configs: [{url: '%s/hook'}]}
                          - {name: dead, webhook_configs: [{url: 'http://127.0.0.1:%d/hook'}]}
                        """.formatted(beside.url(), hole.getLocalPort());
                CollectingSink<NotificationAttempt> attempts = new CollectingSink<>();
                env = env();
                job(incidents, incidents / (double) seconds, besideRouting, attempts).build(env);
                JobClient client = env.executeAsync("bench-notifications-beside-dead");
                long deadline = System.currentTimeMillis() + (seconds + 120) * 1000L;
                while (beside.requests().size() < 2 * incidents && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                client.cancel().get();
                List<Long> b = latencies(beside, "firing");
                List<NotificationAttempt> dead = attempts.collected().stream()
                        .filter(x -> x.receiver().equals("dead")).toList();
                return new Isolation(incidents, pct(a, 0.5), pct(a, 0.99), a.size(), pct(b, 0.5), pct(b, 0.99),
                        b.size(), swallowed.size(), dead.size(),
                        dead.stream().filter(x -> x.error() != null && x.error().startsWith("backlog full")).count());
            } finally {
                for (java.net.Socket s : swallowed) s.close();
            }
        }
    }

    public static Result run(int perMinute, int seconds, int burst) throws Exception {
        return run(perMinute, seconds, burst, false);
    }

    public static Result run(int perMinute, int seconds, int burst, boolean blackHole) throws Exception {
        if (!AlertmanagerProcess.installed()) {
            throw new IllegalStateException("the comparison needs Alertmanager: apt-get install prometheus-alertmanager");
        }
        int incidents = perMinute * seconds / 60;
        Path dir = Files.createTempDirectory("vigil-bench-notify");
        try (ReceiverStub direct = new ReceiverStub(); ReceiverStub slack = new ReceiverStub();
             ReceiverStub viaAm = new ReceiverStub()) {
            String amConfig = """
                    route:
                      receiver: hook
                      group_by: ['incident']
                      group_wait: 0s
                      group_interval: 1s
                      repeat_interval: 4h
                    receivers:
                      - name: hook
                        webhook_configs: [{url: '%s/am', send_resolved: true}]
                    """.formatted(viaAm.url());
            try (AlertmanagerProcess am = AlertmanagerProcess.start(dir.resolve("am"), AlertmanagerProcess.freePorts(),
                    List.of(), amConfig)) {
                String routing = """
                        route:
                          receiver: direct
                          group_wait: 0s
                          routes:
                            - {matchers: ['severity=~".*"'], receiver: direct, continue: true}
                            - {matchers: ['severity=~".*"'], receiver: slack, continue: true}
                            - {matchers: ['severity=~".*"'], receiver: am}
                        receivers:
                          - {name: direct, webhook_configs: [{url: '%s/hook'}]}
                          - {name: slack, slack_configs: [{webhook_url: '%s/slack'}]}
                          - {name: am, alertmanager_configs: [{urls: ['%s'], resend_interval: 1m}]}
                        """.formatted(direct.url(), slack.url(), am.url());
                CollectingSink<NotificationAttempt> attempts = new CollectingSink<>();
                StreamExecutionEnvironment env = env();
                job(incidents, incidents / (double) seconds, routing, attempts).build(env);
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime();
                long am0 = am.cpuMillis();
                long t0 = System.nanoTime();
                JobClient client = env.executeAsync("bench-notifications");
                client.getJobExecutionResult().get();
                long wallMs = (System.nanoTime() - t0) / 1_000_000;
                Thread.sleep(3000); // Alertmanager's last notifications
                double jvmCores = (os.getProcessCpuTime() - cpu0) / 1e6 / wallMs;
                long amCpu = am.cpuMillis();
                Double amCores = am0 < 0 || amCpu < 0 ? null : (amCpu - am0) / (double) wallMs;

                List<Long> d = latencies(direct, "firing");
                List<Long> s = latencies(slack, null);
                List<Long> a = latencies(viaAm, "firing");
                long failed = attempts.collected().stream()
                        .filter(x -> x.outcome() == NotificationAttempt.Outcome.FAILED).count();

                CollectingSink<NotificationAttempt> burstAttempts = new CollectingSink<>();
                double burstRate = burst(burst, direct, burstAttempts);
                Isolation isolation = blackHole ? isolation(incidents, seconds) : null;
                return new Result(perMinute, incidents, pct(d, 0.5), pct(d, 0.99), pct(s, 0.5), pct(s, 0.99),
                        pct(a, 0.5), pct(a, 0.99), d.size(), a.size(), jvmCores, amCores, burst, burstRate, failed,
                        isolation);
            }
        }
    }

    /** Webhook-only, unpaced: notifications delivered per second from the first delivery to the last. */
    static double burst(int count, ReceiverStub hook, CollectingSink<NotificationAttempt> sink) throws Exception {
        String routing = """
                route: {receiver: direct, group_wait: 0s}
                receivers:
                  - {name: direct, webhook_configs: [{url: '%s/burst'}]}
                """.formatted(hook.url());
        int before = hook.requests().size();
        StreamExecutionEnvironment env = env();
        job(count, 0, routing, sink).build(env);
        env.executeAsync("bench-notifications-burst").getJobExecutionResult().get();
        List<ReceiverStub.Request> got = hook.requests().subList(before, hook.requests().size());
        if (got.size() < 2) return 0;
        long first = got.stream().mapToLong(ReceiverStub.Request::atMs).min().orElseThrow();
        long last = got.stream().mapToLong(ReceiverStub.Request::atMs).max().orElseThrow();
        return got.size() * 1000.0 / Math.max(1, last - first);
    }

    /** Receipt time minus the alert's generation time, for requests of the given status (null: every request). */
    static List<Long> latencies(ReceiverStub stub, String status) throws Exception {
        List<Long> out = new ArrayList<>();
        for (ReceiverStub.Request r : stub.requests()) {
            JsonNode body = WireFormat.mapper().readTree(r.body());
            JsonNode node = body.isArray() ? body.get(0) : body;
            if (status != null && node.has("status") && !status.equals(node.get("status").asText())) continue;
            if (status == null && r.body().contains("Resolved")) continue;
            Matcher m = GENERATED.matcher(r.body());
            if (m.find()) out.add(r.atMs() - Long.parseLong(m.group(1)));
        }
        out.sort(Long::compare);
        return out;
    }

    static Double pct(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return null;
        return (double) sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    public static void main(String[] args) throws Exception {
        boolean json = false;
        int perMinute = 1000;
        int seconds = 60;
        int burst = 5000;
        boolean blackHole = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--black-hole" -> blackHole = true;
                case "--per-minute" -> perMinute = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--json, --per-minute N, --seconds S, --burst N, --black-hole)");
            }
        }
        if (perMinute < 1 || seconds < 10 || burst < 10) {
            throw new IllegalArgumentException("--per-minute >= 1, --seconds >= 10, --burst >= 10");
        }
        if (!json) {
            System.out.printf("Notifications: %d incidents/minute for %d s, then their resolutions; three receivers "
                    + "on loopback, one through Alertmanager (about %d s)%n", perMinute, seconds, 2 * seconds + 20);
        }
        Result r = run(perMinute, seconds, burst, blackHole);
        if (json) {
            ObjectNode o = WireFormat.mapper().valueToTree(r);
            System.out.println(o.toPrettyString());
            return;
        }
        System.out.printf("  incidents                      %d (each paged and resolved)%n", r.incidents());
        System.out.printf("  direct webhook latency         p50 %s ms, p99 %s ms (%d pages)%n", r.directP50Ms(),
                r.directP99Ms(), r.directMeasured());
        System.out.printf("  Slack stand-in latency         p50 %s ms, p99 %s ms%n", r.slackP50Ms(), r.slackP99Ms());
        System.out.printf("  via Alertmanager 0.25          p50 %s ms, p99 %s ms (%d pages)%n", r.alertmanagerP50Ms(),
                r.alertmanagerP99Ms(), r.alertmanagerMeasured());
        System.out.printf("  CPU                            Vigil JVM %.2f cores, Alertmanager %s cores%n",
                r.jvmCpuCores(), r.alertmanagerCpuCores() == null ? "?" : String.format("%.2f", r.alertmanagerCpuCores()));
        System.out.printf("  burst, webhook only            %d incidents: %.0f notifications/s%n", r.burstIncidents(),
                r.burstNotificationsPerSecond());
        System.out.printf("  failed attempts                %d%n", r.failedAttempts());
        Isolation iso = r.isolation();
        if (iso != null) {
            System.out.printf("  webhook alone                  p50 %s ms, p99 %s ms (%d pages)%n", iso.aloneP50Ms(),
                    iso.aloneP99Ms(), iso.aloneMeasured());
            System.out.printf("  webhook beside a black hole    p50 %s ms, p99 %s ms (%d pages); the dead endpoint "
                            + "swallowed %d connections; of its notifications %d ended (%d refused at once for a full "
                            + "backlog), the rest were still retrying%n", iso.besideDeadP50Ms(), iso.besideDeadP99Ms(),
                    iso.besideDeadMeasured(), iso.deadConnections(), iso.deadAttemptsEnded(), iso.deadBacklogFull());
        }
    }
}
