package io.vigil.evaluation.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.evaluation.IsolatedCluster;
import io.vigil.launcher.cluster.ChildProcess;
import io.vigil.launcher.cluster.ClusterComponent;
import io.vigil.launcher.cluster.DatabaseProcess;
import io.vigil.launcher.cluster.FlinkJob;
import io.vigil.launcher.cluster.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The failure scenarios of {@code ./vigil chaos}, each on a fresh {@link LocalCluster} (every part its own process):
 * warm up until the first alert and a completed checkpoint, inject the fault, let it run on, stop the collectors
 * cleanly, wait until the writers have consumed everything, and reconcile by origin.
 */
public final class ClusterChaos {

    /** The scenarios: id, what is done, and how recovery is measured. */
    public enum Scenario {
        R1("kill -9 a TaskManager mid-stream", "until the detection job runs again with every task"),
        R2(R2_FAILURES + " TaskManager kills in a row, then the JobManager killed -9 and restarted, the job "
                + "resubmitted from its newest checkpoint",
                "from the JobManager's kill until the job runs again with every task"),
        R3("kill -9 the broker leading the telemetry partitions", "until every telemetry partition has a leader "
                + "and samples stamped after the kill are stored"),
        R4("two of three Kafka nodes down for 2 minutes (killed -9, then restarted)", "from the restart until "
                + "samples stamped after it are stored and the detection job runs with every task"),
        R5("Kafka down 5 minutes (all nodes killed -9), a collector killed -9 during it and restarted: its spool "
                + "replays", "from Kafka's restart until samples stamped after it are stored and the detection job "
                + "runs with every task"),
        R6("PostgreSQL killed -9 mid-batch, restarted 5 s later", "from the restart until samples stamped after it "
                + "are stored"),
        R7("one Alertmanager of an HA pair killed -9 mid-incident for 10 minutes (--alertmanager-outage), then "
                + "restarted; a receiver that never answers, for the whole run",
                "from the restart until both Alertmanagers hold the same open incidents"),
        R8("hostile records beside the load (malformed, binary, 2,000-deep JSON, 900 KB, wrong shapes)",
                "none: the detection job must not restart, the writers must not exit"),
        R9("one collector's clock 10 minutes fast", "none: only that collector's records may be refused"),
        R10("twice the nominal load (twice the hosts) for 10 minutes", "from the collectors' stop until the writers "
                + "and the detection job have consumed everything");

        final String description;
        final String recovery;

        Scenario(String description, String recovery) {
            this.description = description;
            this.recovery = recovery;
        }
    }

    /** The short set: the README's test command runs R1, R6 is tagged long; {@code ./vigil chaos} runs them all. */
    public static final List<Scenario> SHORT_SET = List.of(Scenario.R1, Scenario.R6);

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final int hosts;
    private final Duration runAfterFault;
    private final PrintStream log;
    private final Map<String, String> settings;
    private final long hostileRecords;
    private final double hostileRate;

    /**
     * @param home          the Vigil checkout (its built job jars are submitted)
     * @param hosts         simulated hosts (8 GPUs each)
     * @param runAfterFault how long the platform runs on after the fault before the collectors stop
     */
    public ClusterChaos(Path home, int hosts, Duration runAfterFault, PrintStream log) {
        this(home, hosts, runAfterFault, Map.of(), log);
    }

    /** The same, each cluster with {@code settings} (e.g. {@code cluster.kafka-security=sasl-ssl}). */
    public ClusterChaos(Path home, int hosts, Duration runAfterFault, Map<String, String> settings,
                        PrintStream log) {
        this(home, hosts, runAfterFault, settings, DEFAULT_HOSTILE_RECORDS, DEFAULT_HOSTILE_RATE, log);
    }

    /** The same, R8 sending {@code hostileRecords} hostile records at {@code hostileRate} a second. */
    public ClusterChaos(Path home, int hosts, Duration runAfterFault, Map<String, String> settings,
                        long hostileRecords, double hostileRate, PrintStream log) {
        if (hostileRecords < 1 || hostileRate <= 0) {
            throw new IllegalArgumentException("hostile records and rate must be positive: " + hostileRecords + ", "
                    + hostileRate);
        }
        this.hostileRecords = hostileRecords;
        this.hostileRate = hostileRate;
        this.settings = Map.copyOf(settings);
        this.home = home;
        this.hosts = hosts;
        this.runAfterFault = runAfterFault;
        this.log = log;
    }

    public ChaosResult run(Scenario scenario) throws Exception {
        Map<String, String> s = new HashMap<>(settings);
        Map<String, Map<String, String>> perProcess = Map.of();
        if (scenario == Scenario.R10) {
            s.put("simulator.hosts", String.valueOf(2 * hosts));
        }
        if (scenario == Scenario.R9) {
            s.put("cluster.collectors", "3");
            perProcess = Map.of("collector-3", Map.of("simulator.clock-ahead", "10m"));
        }
        log.println("== " + scenario + ": " + scenario.description
                + (settings.isEmpty() ? "" : " (" + settings + ")"));
        java.nio.file.Path rigDir = scenario == Scenario.R7 ? java.nio.file.Files.createTempDirectory("vigil-r7")
                : null;
        try (PagingRig rig = rigDir == null ? null : PagingRig.start(rigDir);
             IsolatedCluster isolated = IsolatedCluster.start(home, hosts, withRouting(s, rig), perProcess, log)) {
            LocalCluster cluster = isolated.cluster();
            FlinkJob detection = (FlinkJob) cluster.component("detection-job");
            await("the first alert stored", Duration.ofMinutes(3),
                    () -> isolated.count("SELECT count(*) FROM alert") > 0);
            await("a completed checkpoint", Duration.ofMinutes(2), () -> completedCheckpoints(cluster, detection) > 0);
            // Every kind of process answers Prometheus with Vigil's own samples.
            await("Flink's, Kafka's, the writers' and the collectors' /metrics", Duration.ofMinutes(1),
                    () -> isolated.metricsMissing().isEmpty());
            String note;
            double recovery;
            HostileProducer hostile = null;
            switch (scenario) {
                case R1 -> {
                    String victim = busiestTaskManager(cluster);
                    Instant t0 = Instant.now();
                    cluster.process(victim).kill();
                    log.println("killed " + victim + " (-9)");
                    boolean failed = awaitQuietly(Duration.ofSeconds(60), () -> !allRunning(cluster, detection));
                    boolean back = awaitQuietly(Duration.ofMinutes(3), () -> allRunning(cluster, detection));
                    recovery = back ? seconds(t0) : -1;
                    note = (failed ? "" : "the job never left RUNNING; ") + "restored from checkpoint "
                            + restoredCheckpoint(cluster, detection);
                    cluster.process(victim).start();
                }
                case R2 -> {
                    // Each kill hits a running job a second into a checkpoint interval, with the alert sink's
                    // transaction open; the next waits until the job has noticed this one and runs again, since a
                    // kill during the previous recovery would merge into its failure.
                    long before = restarts(cluster, detection);
                    for (int i = 0; i < R2_FAILURES; i++) {
                        String victim = "flink-taskmanager-" + (i % 2 + 1);
                        long seen = restarts(cluster, detection);
                        cluster.process(victim).kill();
                        cluster.process(victim).start();
                        awaitQuietly(Duration.ofSeconds(30), () -> restarts(cluster, detection) > seen);
                        awaitQuietly(Duration.ofMinutes(2), () -> taskManagersRegistered(cluster) >= 2
                                && allRunning(cluster, detection));
                        Thread.sleep(1000);
                    }
                    long failures = restarts(cluster, detection) - before;
                    log.println("killed a TaskManager " + R2_FAILURES + " times, alternating, each restarted at once; "
                            + failures + " failures of the job");
                    awaitQuietly(Duration.ofMinutes(3), () -> allRunning(cluster, detection));
                    Instant t0 = Instant.now();
                    cluster.process("flink-jobmanager").kill();
                    log.println("killed the JobManager (-9); without HA its jobs are gone");
                    cluster.process("flink-jobmanager").start();
                    // What a supervisor (or the Flink Kubernetes Operator with HA) does: the job again, from its
                    // newest retained checkpoint.
                    awaitQuietly(Duration.ofMinutes(2), () -> taskManagersRegistered(cluster) >= 2);
                    detection.start();
                    boolean back = awaitQuietly(Duration.ofMinutes(3), () -> allRunning(cluster, detection));
                    recovery = back ? seconds(t0) : -1;
                    note = failures + " failures of the job from " + R2_FAILURES + " TaskManager kills; after the "
                            + "JobManager's kill resubmitted as job " + detection.jobId() + " from its checkpoint (with "
                            + "Flink HA, as on Kubernetes, a new JobManager takes the job over by itself)";
                    if (failures < R2_FAILURES) recovery = -1;
                }
                case R3 -> {
                    int leader = telemetryLeader(cluster);
                    Instant t0 = Instant.now();
                    cluster.process("kafka-" + leader).kill();
                    log.println("killed kafka-" + leader + " (-9), the leader of partition 0 of "
                            + cluster.topics().gpu());
                    long after = t0.toEpochMilli() + 1000;
                    boolean back = awaitQuietly(Duration.ofMinutes(3), () -> leadersElsewhere(cluster, leader)
                            && isolated.count("SELECT count(*) FROM gpu_sample WHERE ts > to_timestamp(" + after
                            + " / 1000.0)") > 0);
                    recovery = back ? seconds(t0) : -1;
                    note = "broker " + leader + " restarted after recovery";
                    cluster.process("kafka-" + leader).start();
                }
                case R4 -> {
                    List<String> victims = List.of("kafka-2", "kafka-3");
                    for (String v : victims) cluster.process(v).kill();
                    log.println("killed " + victims + " (-9): no quorum, no in-sync replicas; collectors spool");
                    Thread.sleep(Duration.ofMinutes(2).toMillis());
                    for (String v : victims) cluster.process(v).start();
                    Instant t0 = Instant.now();
                    long after = t0.toEpochMilli();
                    boolean back = awaitQuietly(Duration.ofMinutes(4), () -> allRunning(cluster, detection)
                            && isolated.count("SELECT count(*) FROM gpu_sample WHERE ts > to_timestamp(" + after
                            + " / 1000.0)") > 0);
                    recovery = back ? seconds(t0) : -1;
                    note = "brokers restarted after 120 s; " + restarts(cluster, detection)
                            + " restarts of the detection job meanwhile";
                }
                case R5 -> {
                    List<String> nodes = new ArrayList<>();
                    for (ClusterComponent c : cluster.components()) {
                        if (c.name().startsWith("kafka-")) nodes.add(c.name());
                    }
                    Instant down = Instant.now();
                    for (String n : nodes) cluster.process(n).kill();
                    log.println("killed " + nodes + " (-9): Kafka is down; the collectors spool");
                    Thread.sleep(Duration.ofSeconds(60).toMillis());
                    ChildProcess victim = cluster.process("collector-1");
                    victim.kill();
                    log.println("killed collector-1 (-9) with Kafka down; restarting it on the same spool");
                    Thread.sleep(5000);
                    victim.start();
                    Thread.sleep(Math.max(0, KAFKA_OUTAGE.toMillis() - Duration.between(down, Instant.now())
                            .toMillis()));
                    for (String n : nodes) cluster.process(n).start();
                    Instant t0 = Instant.now();
                    log.println("restarted " + nodes + " after " + Math.round(seconds(down)) + " s");
                    long after = t0.toEpochMilli();
                    boolean back = awaitQuietly(Duration.ofMinutes(5), () -> allRunning(cluster, detection)
                            && isolated.count("SELECT count(*) FROM gpu_sample WHERE ts > to_timestamp(" + after
                            + " / 1000.0)") > 0);
                    recovery = back ? seconds(t0) : -1;
                    note = "Kafka down " + KAFKA_OUTAGE.toSeconds() + " s; collector-1 killed -9 60 s into it and "
                            + "restarted; " + restarts(cluster, detection) + " restarts of the detection job";
                }
                case R10 -> {
                    // The cluster runs at twice the hosts from the start; watch it for 10 minutes.
                    String writers = isolated.settings().string("writer.group-id");
                    String detectionGroup = isolated.settings().string("detection.group-id");
                    double rate = publishedPerSecond(cluster);
                    log.printf("twice the load: %.0f records/s for %d s%n", rate, DOUBLE_LOAD.toSeconds());
                    long maxWriterLag = 0, maxDetectionLag = 0;
                    long windowStart = System.currentTimeMillis();
                    Instant end = Instant.now().plus(DOUBLE_LOAD);
                    while (Instant.now().isBefore(end)) {
                        Thread.sleep(10_000);
                        maxWriterLag = Math.max(maxWriterLag, lag(cluster, writers));
                        maxDetectionLag = Math.max(maxDetectionLag, lag(cluster, detectionGroup));
                    }
                    // The goal is judged on the checkpoints triggered in the 10 minutes; those of the start-up
                    // (JVMs compiling, the alert sink's producer pool still filling) are reported beside them.
                    long interval = isolated.settings().duration("detection.checkpoint-interval").toMillis();
                    List<Long> window = checkpointDurations(cluster, detection, windowStart, Long.MAX_VALUE);
                    List<Long> startUp = checkpointDurations(cluster, detection, 0, windowStart);
                    String slow = slowCheckpoints(cluster, detection, interval / 2, windowStart);
                    List<String> died = new ArrayList<>();
                    for (ClusterComponent c : cluster.components()) {
                        if (c instanceof ChildProcess p && p.died()) died.add(p.name());
                    }
                    long ooms = outOfMemoryErrors(cluster);
                    String pauses = cluster.components().stream().filter(c -> c instanceof ChildProcess)
                            .map(c -> (ChildProcess) c)
                            .sorted(java.util.Comparator.comparingDouble(ChildProcess::longestGcPauseMillis).reversed())
                            .limit(4).map(p -> p.name() + " " + Math.round(p.longestGcPauseMillis()) + " ms")
                            .collect(java.util.stream.Collectors.joining(", "));
                    Map<String, long[]> published = cluster.stopCollectors();
                    Instant t0 = Instant.now();
                    awaitDrained(cluster, writers);
                    awaitDrained(cluster, detectionGroup);
                    recovery = seconds(t0);
                    long max = window.isEmpty() ? Long.MAX_VALUE : window.get(window.size() - 1);
                    boolean ok = died.isEmpty() && ooms == 0 && max < interval / 2;
                    note = String.format("%.0f records/s; checkpoints in the %d min: %d ms at most (p99 %d, p50 %d, "
                                    + "%d completed, interval %d ms)%s; during the start-up before them: %d ms at most "
                                    + "(p50 %d, %d completed); %d OutOfMemoryErrors, exited: %s; lag at most %d "
                                    + "(writers), %d (detection) records, drained %.1f s after the load stopped", rate,
                            DOUBLE_LOAD.toMinutes(), max, percentile(window, 0.99), percentile(window, 0.5),
                            window.size(), interval, max < interval / 2 ? ", under half the interval"
                                    : ", NOT all under half the interval", percentile(startUp, 1.0),
                            percentile(startUp, 0.5), startUp.size(), ooms, died.isEmpty() ? "none" : died,
                            maxWriterLag, maxDetectionLag, recovery) + "; " + slow + "; longest GC pauses: " + pauses;
                    if (!ok) recovery = -1;
                    return finish(scenario, isolated, cluster, published, recovery, note, null, null);
                }
                case R6 -> {
                    DatabaseProcess db = (DatabaseProcess) cluster.component("postgres");
                    db.kill();
                    log.println("killed PostgreSQL (-9, postmaster and backends)");
                    Thread.sleep(5000);
                    db.start();
                    Instant t0 = Instant.now();
                    long after = t0.toEpochMilli();
                    boolean back = awaitQuietly(Duration.ofMinutes(3), () -> isolated.count(
                            "SELECT count(*) FROM gpu_sample WHERE ts > to_timestamp(" + after + " / 1000.0)") > 0);
                    recovery = back ? seconds(t0) : -1;
                    note = "writers retried with backoff up to writer.max-retry-backoff";
                }
                case R7 -> {
                    PagingCheck.Verdict paging = r7(rig, isolated, cluster);
                    Map<String, long[]> published = cluster.stopCollectors();
                    return finish(scenario, isolated, cluster, published, r7Recovery, r7Note, null, paging);
                }
                case R8 -> {
                    hostile = new HostileProducer(cluster.adminClientProperties(), cluster.topics());
                    double load = publishedPerSecond(cluster);
                    log.printf("sending %,d hostile records at %.0f/s beside %.0f valid records/s%n", hostileRecords,
                            hostileRate, load);
                    Instant t0 = Instant.now();
                    hostile.run(hostileRecords, hostileRate);
                    double sending = seconds(t0);
                    // The collectors go on publishing: read up to where the telemetry topics ended when the last
                    // hostile record was sent (the group commits at checkpoints, so never quite up to a moving end).
                    Map<TopicPartition, Long> sentUpTo;
                    try (Admin admin = admin(cluster)) {
                        sentUpTo = telemetryEnds(admin, cluster);
                    }
                    awaitDrained(cluster, isolated.settings().string("detection.group-id"), "the detection job",
                            Duration.ofMinutes(15), sentUpTo);
                    double drained = seconds(t0);
                    long restarts = restarts(cluster, detection);
                    boolean writersUp = cluster.components().stream().noneMatch(c -> c.name().startsWith("writer-")
                            && c instanceof ChildProcess p && p.died());
                    recovery = restarts == 0 && writersUp ? 0 : -1;
                    note = String.format("%,d hostile records sent in %.0f s (%.0f/s, %.0f %% of the records "
                                    + "meanwhile), read by the detection job %.0f s after the first; ", hostileRecords,
                            sending, hostileRecords / sending, 100 * hostileRecords / (hostileRecords + load * sending),
                            drained) + restarts + " restarts of the detection job"
                            + (writersUp ? "" : ", a writer exited");
                }
                default -> {
                    recovery = 0;
                    note = "";
                }
            }
            if (scenario != Scenario.R8) Thread.sleep(runAfterFault.toMillis());
            Map<String, long[]> published = cluster.stopCollectors();
            if (scenario == Scenario.R5) {
                long[] order = Reconciliation.gpuOrder(cluster.adminClientProperties(), cluster.topics());
                note += "; per-GPU order on " + cluster.topics().gpu() + ": " + order[1] + " out of order in "
                        + order[0] + " records, " + order[2] + " sent again after the kill";
                if (order[1] > 0) recovery = -1;
            }
            return finish(scenario, isolated, cluster, published, recovery, note, hostile, null);
        } finally {
            if (rigDir != null) IsolatedCluster.deleteQuietly(rigDir);
        }
    }

    /** The cluster's settings, with R7's routing to the rig's Alertmanager pair and dead receiver. */
    private static Map<String, String> withRouting(Map<String, String> s, PagingRig rig) throws IOException {
        if (rig == null) return s;
        Map<String, String> out = new HashMap<>(s);
        out.put("notify.routing-file", rig.routing().toString());
        return out;
    }

    private double r7Recovery;
    private String r7Note;
    private Duration alertmanagerOutage = DEFAULT_ALERTMANAGER_OUTAGE;

    /** R7 keeping its Alertmanager down for {@code outage} instead of 10 minutes. */
    public ClusterChaos alertmanagerOutage(Duration outage) {
        if (outage.isNegative() || outage.isZero()) throw new IllegalArgumentException("outage must be positive");
        this.alertmanagerOutage = outage;
        return this;
    }

    /**
     * R7: once on-call has been told of an incident, the pair's first notifier is killed -9 for
     * the outage (10 minutes unless told otherwise) and restarted; the run goes on until both instances hold the same open incidents,
     * then for {@code runAfterFault}; what on-call received up to then is judged against what Vigil sent.
     */
    private PagingCheck.Verdict r7(PagingRig rig, IsolatedCluster isolated, LocalCluster cluster) throws Exception {
        await("an incident firing at on-call, through the pair", Duration.ofMinutes(5),
                () -> rig.messages().stream().anyMatch(PagingCheck.Message::firing));
        // Mid-incident, not mid-notification: an instance killed within milliseconds of notifying has not yet
        // gossiped that it did, and its twin then pages again after its turn (Alertmanager's own at-least-once; a
        // first run of R7 showed exactly that, 15 s later). The pair is given time to share its notification log.
        Thread.sleep(R7_SETTLE.toMillis());
        int victim = rig.first();
        Instant down = Instant.now();
        rig.kill(victim);
        log.println("killed Alertmanager " + victim + " (-9), the pair's first notifier; "
                + rig.active(1 - victim) + " open on the other");
        long outageEnds = down.toEpochMilli() + alertmanagerOutage.toMillis();
        while (System.currentTimeMillis() < outageEnds) {
            Thread.sleep(Math.min(30_000, Math.max(1, outageEnds - System.currentTimeMillis())));
            log.println("Alertmanager " + victim + " down " + Math.round(seconds(down)) + " s; on-call has "
                    + rig.messages().size() + " messages; the survivor holds " + rig.active(1 - victim));
        }
        rig.restart(victim);
        Instant up = Instant.now();
        log.println("restarted Alertmanager " + victim + " after " + Math.round(seconds(down)) + " s");
        boolean converged = awaitQuietly(Duration.ofMinutes(4), () -> {
            java.util.Set<String> a = rig.active(0), b = rig.active(1);
            return a != null && a.equals(b);
        });
        r7Recovery = converged ? seconds(up) : -1;
        Thread.sleep(runAfterFault.toMillis());
        long cutoff = System.currentTimeMillis();
        java.util.Set<String> a0 = rig.active(0), a1 = rig.active(1);
        List<io.vigil.model.NotificationAttempt> attempts = new ArrayList<>();
        Reconciliation.forEach(cluster.adminClientProperties(), cluster.topics().notifications(), "read_committed",
                r -> attempts.add(io.vigil.model.NotificationAttempt.decode(r.value())));
        List<io.vigil.model.NotificationAttempt> toPair = attempts.stream().filter(x -> x.receiver().equals("pair"))
                .toList();
        PagingCheck.Verdict v = PagingCheck.judge(toPair, rig.messages(), cutoff, R7_GRACE.toMillis());
        List<Long> triggerLatency = toPair.stream().filter(x -> x.action() == io.vigil.model.NotificationAttempt
                        .Action.TRIGGER && x.outcome() == io.vigil.model.NotificationAttempt.Outcome.DELIVERED
                        && !x.target().endsWith("#" + victim))
                .map(io.vigil.model.NotificationAttempt::latencyMs).sorted().toList();
        long goneAttempts = attempts.stream().filter(x -> x.receiver().equals("gone")).count();
        long goneDelivered = attempts.stream().filter(x -> x.receiver().equals("gone")
                && x.outcome() == io.vigil.model.NotificationAttempt.Outcome.DELIVERED).count();
        r7Note = String.format("Alertmanager %d (the first notifier) down %d s; %d incidents paged to the pair, "
                        + "on-call told %d firing and %d resolved; %s; both instances at the cut-off: %s and %s "
                        + "(converged %s after the restart); triggers to the survivor: latency p50 %d ms, p99 %d ms "
                        + "from the alert entering the notification job (the route's group_wait included), while the dead receiver swallowed %d "
                        + "connections (%d attempts recorded, %d delivered)",
                victim, alertmanagerOutage.toSeconds(), v.pagedIncidents(), v.firingMessages(),
                v.resolvedMessages(), v.examples().isEmpty() ? "no failures" : String.join("; ", v.examples()),
                a0 == null ? "?" : a0.size() + " open", a1 == null ? "?" : a1.size() + " open",
                converged ? Math.round(r7Recovery) + " s" : "NOT", percentile(triggerLatency, 0.5),
                percentile(triggerLatency, 0.99), rig.swallowedConnections(), goneAttempts, goneDelivered);
        if (v.pagedIncidents() == 0) {
            r7Note += "; NO incident was paged: nothing was tested";
            r7Recovery = -1;
        }
        return v;
    }

    /** Reconciles by origin once the collectors have stopped, and reports. */
    private ChaosResult finish(Scenario scenario, IsolatedCluster isolated, LocalCluster cluster,
                               Map<String, long[]> published, double recovery, String note, HostileProducer hostile,
                               PagingCheck.Verdict paging)
            throws Exception {
        awaitDrained(cluster, isolated.settings().string("writer.group-id"));
        var counts = Reconciliation.telemetry(published, cluster.jdbcUrl(), cluster.dbUser(), cluster.dbPassword(),
                cluster.adminClientProperties(), cluster.topics());
        var alerts = Reconciliation.alerts(cluster.adminClientProperties(), cluster.topics());
        long recordsIn = counts.recordsIn(), deadLettered = counts.deadLettered(), lost = counts.lost();
        if (hostile != null) {
            Map<String, Long> reasons = Reconciliation.hostileDeadLetters(cluster.adminClientProperties(),
                    cluster.topics());
            long hostileDead = reasons.values().stream().mapToLong(Long::longValue).sum();
            recordsIn += hostile.sent();
            deadLettered += hostileDead;
            lost += Math.max(0, hostile.sent() - hostileDead);
            note += "; " + hostile.sent() + " hostile records taken by Kafka (" + hostile.refusedByKafka()
                    + " refused by it), " + hostileDead + " dead-lettered: " + reasons;
        }
        if (scenario == Scenario.R5) {
            for (Map.Entry<String, long[]> e : counts.perCollector().entrySet()) {
                if (e.getKey().endsWith("killed)")) {
                    note += "; " + e.getKey() + ": " + e.getValue()[0] + " records (to its highest sequence), "
                            + e.getValue()[1] + " stored, " + e.getValue()[3] + " lost";
                }
            }
        }
        if (scenario == Scenario.R9) {
            long[] fast = counts.perCollector().get("simulator-3");
            long roots = isolated.count("SELECT count(*) FROM alert WHERE labels->>'root' = 'true'");
            note = "fast collector: " + (fast == null ? "no report" : fast[1] + " of " + fast[0]
                    + " records stored, " + fast[2] + " dead-lettered") + "; " + roots
                    + " paging alerts from the others";
        }
        if (scenario != Scenario.R9) {
            // Pages: one per root cause is the promise; a failure of the platform itself should not add any.
            note += (note.isEmpty() ? "" : "; ") + isolated.count(
                    "SELECT count(*) FROM alert WHERE labels->>'root' = 'true'") + " pages (root alerts, by episode)";
        }
        ChaosResult r = new ChaosResult(scenario.name(), scenario.description, recordsIn, counts.stored(),
                deadLettered, lost, counts.duplicated(), alerts.distinct(), alerts.duplicates(), recovery, note,
                paging);
        log.println("== " + scenario + ": " + r);
        return r;
    }

    /** R8's hostile records and their rate, unless told otherwise. */
    static final long DEFAULT_HOSTILE_RECORDS = 1_000_000;
    static final double DEFAULT_HOSTILE_RATE = 2_000;
    /** How many TaskManager kills R2 injects before the JobManager's. */
    static final int R2_FAILURES = 20;
    /** How long R5 keeps Kafka down. */
    static final Duration KAFKA_OUTAGE = Duration.ofMinutes(5);
    /** How long R7 keeps one Alertmanager of the pair down, unless told otherwise. */
    static final Duration DEFAULT_ALERTMANAGER_OUTAGE = Duration.ofMinutes(10);
    /** R7: how long after on-call's first page the instance is killed. */
    static final Duration R7_SETTLE = Duration.ofSeconds(30);
    /** R7: an incident paged to the pair this long before the cut-off must have reached on-call. */
    static final Duration R7_GRACE = Duration.ofMinutes(1);
    /** How long R10 runs at twice the load. */
    static final Duration DOUBLE_LOAD = Duration.ofMinutes(10);

    /** Records a consumer group has yet to read on the telemetry topics. */
    private long lag(LocalCluster cluster, String group) {
        try (Admin admin = admin(cluster)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(cluster.topics().telemetry()).allTopicNames().get(10, TimeUnit.SECONDS)
                    .forEach((t, d) -> d.partitions().forEach(p -> latest.put(new TopicPartition(t, p.partition()),
                            OffsetSpec.latest())));
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
            }
            return lag;
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * The job's completed checkpoints (in the JobManager's history, {@code web.checkpoints.history}) that took longer
     * than {@code thresholdMs}, and for each where its time went: its slowest task's synchronous and asynchronous
     * parts, barrier alignment, and the delay until the barrier reached it. Summed up by task and part.
     */
    private String slowCheckpoints(LocalCluster cluster, FlinkJob job, long thresholdMs, long triggeredFrom) {
        try {
            Map<String, String> names = new HashMap<>();
            for (JsonNode v : get(cluster, "/jobs/" + job.jobId()).path("vertices")) {
                String name = v.path("name").asText();
                names.put(v.path("id").asText(), name.length() > 40 ? name.substring(0, 40) + "…" : name);
            }
            JsonNode history = get(cluster, "/jobs/" + job.jobId() + "/checkpoints").path("history");
            int completed = 0;
            List<String> each = new ArrayList<>();
            Map<String, Integer> byPart = new java.util.TreeMap<>();
            for (JsonNode c : history) {
                if (!"COMPLETED".equals(c.path("status").asText())) continue;
                if (c.path("trigger_timestamp").asLong() < triggeredFrom) continue;
                completed++;
                long ms = c.path("end_to_end_duration").asLong();
                if (ms <= thresholdMs) continue;
                long id = c.path("id").asLong();
                JsonNode tasks = get(cluster, "/jobs/" + job.jobId() + "/checkpoints/details/" + id).path("tasks");
                String slowTask = null;
                long slowTaskMs = -1;
                for (var it = tasks.fields(); it.hasNext(); ) {
                    var t = it.next();
                    if (t.getValue().path("end_to_end_duration").asLong() > slowTaskMs) {
                        slowTaskMs = t.getValue().path("end_to_end_duration").asLong();
                        slowTask = t.getKey();
                    }
                }
                if (slowTask == null) continue;
                JsonNode s = get(cluster, "/jobs/" + job.jobId() + "/checkpoints/details/" + id + "/subtasks/"
                        + slowTask).path("summary");
                Map<String, Long> parts = new java.util.LinkedHashMap<>();
                parts.put("sync", s.path("checkpoint_duration").path("sync").path("max").asLong());
                parts.put("async", s.path("checkpoint_duration").path("async").path("max").asLong());
                parts.put("alignment", s.path("alignment").path("duration").path("max").asLong());
                parts.put("barrier delay", s.path("start_delay").path("max").asLong());
                String top = parts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                String name = names.getOrDefault(slowTask, slowTask);
                byPart.merge(name + " " + top, 1, Integer::sum);
                each.add("#" + id + " " + ms + " ms: '" + name + "' " + slowTaskMs + " ms " + parts);
            }
            return each.size() + " of those " + completed + " checkpoints over " + thresholdMs
                    + " ms, by slowest task and its largest part " + byPart + (each.isEmpty() ? ""
                    : " [" + String.join("; ", each.subList(0, Math.min(8, each.size()))) + "]");
        } catch (Exception e) {
            return "checkpoint history not read: " + e;
        }
    }

    /** End-to-end durations of the job's completed checkpoints triggered in [from, to), in milliseconds, sorted. */
    private List<Long> checkpointDurations(LocalCluster cluster, FlinkJob job, long from, long to) {
        List<Long> out = new ArrayList<>();
        try {
            for (JsonNode c : get(cluster, "/jobs/" + job.jobId() + "/checkpoints").path("history")) {
                long t = c.path("trigger_timestamp").asLong();
                if ("COMPLETED".equals(c.path("status").asText()) && t >= from && t < to) {
                    out.add(c.path("end_to_end_duration").asLong());
                }
            }
        } catch (Exception e) {
            log.println("checkpoint history not read: " + e);
        }
        out.sort(null);
        return out;
    }

    /** The {@code q} quantile of sorted values (nearest rank), -1 for none. */
    static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return -1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
    }

    /** OutOfMemoryErrors in any process's log. */
    private static long outOfMemoryErrors(LocalCluster cluster) {
        long n = 0;
        try (var logs = java.nio.file.Files.list(cluster.logDir())) {
            for (Path log : logs.toList()) {
                try (var lines = java.nio.file.Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    n += lines.filter(l -> l.contains("OutOfMemoryError")).count();
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return n;
    }

    /** Records/s the collectors publish now, from the telemetry topics' end offsets over 5 s. */
    private double publishedPerSecond(LocalCluster cluster) throws Exception {
        try (Admin admin = admin(cluster)) {
            long a = endOffsets(admin, cluster);
            Thread.sleep(5000);
            return (endOffsets(admin, cluster) - a) / 5.0;
        }
    }

    private long endOffsets(Admin admin, LocalCluster cluster) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(cluster.topics().telemetry()).allTopicNames().get(10, TimeUnit.SECONDS)
                .forEach((t, d) -> d.partitions().forEach(p -> latest.put(new TopicPartition(t, p.partition()),
                        OffsetSpec.latest())));
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    private int taskManagersRegistered(LocalCluster cluster) {
        try {
            return get(cluster, "/overview").path("taskmanagers").asInt();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * How many times the job failed and restarted: the entries of its exception history (one per failure handled;
     * the cluster keeps 1,000). Not the {@code numRestarts} metric: the REST API serves it from a cache that lags
     * the job (it said 0 right after R2's 20 kills).
     */
    private long restarts(LocalCluster cluster, FlinkJob job) {
        try {
            return get(cluster, "/jobs/" + job.jobId() + "/exceptions?maxExceptions=1000").path("exceptionHistory")
                    .path("entries").size();
        } catch (Exception e) {
            return -1;
        }
    }

    private String busiestTaskManager(LocalCluster cluster) throws Exception {
        JsonNode tms = get(cluster, "/taskmanagers").path("taskmanagers");
        String best = null;
        int fewestFree = Integer.MAX_VALUE;
        for (JsonNode tm : tms) {
            if (tm.path("freeSlots").asInt() < fewestFree) {
                fewestFree = tm.path("freeSlots").asInt();
                best = tm.path("id").asText();
            }
        }
        if (best == null || !best.startsWith("flink-taskmanager-")) {
            throw new IllegalStateException("no TaskManager named by the launcher in " + tms);
        }
        return best;
    }

    private boolean allRunning(LocalCluster cluster, FlinkJob job) {
        try {
            JsonNode j = get(cluster, "/jobs/" + job.jobId());
            if (!"RUNNING".equals(j.path("state").asText())) return false;
            for (JsonNode v : j.path("vertices")) if (!"RUNNING".equals(v.path("status").asText())) return false;
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private long completedCheckpoints(LocalCluster cluster, FlinkJob job) {
        try {
            return get(cluster, "/jobs/" + job.jobId() + "/checkpoints").path("counts").path("completed").asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    private String restoredCheckpoint(LocalCluster cluster, FlinkJob job) {
        try {
            JsonNode restored = get(cluster, "/jobs/" + job.jobId() + "/checkpoints").path("latest").path("restored");
            return restored.isMissingNode() || restored.isNull() ? "(none reported)" : "#" + restored.path("id").asText();
        } catch (Exception e) {
            return "(unknown)";
        }
    }

    private int telemetryLeader(LocalCluster cluster) throws Exception {
        try (Admin admin = admin(cluster)) {
            String topic = cluster.topics().gpu();
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(0).leader().id();
        }
    }

    private boolean leadersElsewhere(LocalCluster cluster, int dead) {
        try (Admin admin = admin(cluster)) {
            var described = admin.describeTopics(cluster.topics().telemetry()).allTopicNames().get(10, TimeUnit.SECONDS);
            return described.values().stream().flatMap(t -> t.partitions().stream())
                    .allMatch(p -> p.leader() != null && p.leader().id() != dead && p.leader().id() >= 0);
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits until the writers' group has consumed every telemetry partition to its end. */
    private void awaitDrained(LocalCluster cluster, String group) throws Exception {
        awaitDrained(cluster, group, "group " + group, Duration.ofMinutes(3), null);
    }

    /**
     * Waits until {@code group} ({@code who}) has consumed every telemetry partition up to {@code target}, or, when
     * null, to its end at each look (for a stopped load).
     */
    private void awaitDrained(LocalCluster cluster, String group, String who, Duration timeout,
                              Map<TopicPartition, Long> target) throws Exception {
        try (Admin admin = admin(cluster)) {
            await(who + " to consume everything", timeout, () -> {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    Map<TopicPartition, Long> ends = target != null ? target : telemetryEnds(admin, cluster);
                    return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                            || (committed.get(e.getKey()) != null
                            && committed.get(e.getKey()).offset() >= e.getValue()));
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    /** The end offset of every telemetry partition now. */
    private static Map<TopicPartition, Long> telemetryEnds(Admin admin, LocalCluster cluster) throws Exception {
        var described = admin.describeTopics(cluster.topics().telemetry()).allTopicNames().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.forEach((t, d) -> d.partitions().forEach(p ->
                latest.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private Admin admin(LocalCluster cluster) {
        return Admin.create(cluster.adminClientProperties());
    }

    private JsonNode get(LocalCluster cluster, String path) throws IOException, InterruptedException {
        return cluster.flinkRest(path);
    }

    private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        if (!awaitQuietly(timeout, done)) throw new IllegalStateException("timed out after " + timeout + " waiting for "
                + what);
    }

    private static boolean awaitQuietly(Duration timeout, BooleanSupplier done) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (done.getAsBoolean()) return true;
            Thread.sleep(250);
        }
        return done.getAsBoolean();
    }

    private static double seconds(Instant since) {
        return Math.round(Duration.between(since, Instant.now()).toMillis() / 100.0) / 10.0;
    }

}
