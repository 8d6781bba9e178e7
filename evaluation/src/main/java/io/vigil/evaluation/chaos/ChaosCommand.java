package io.vigil.evaluation.chaos;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vigil chaos [--json] [--scenarios R1,R3,...] [--hosts N] [--run-seconds S] [--kafka-security sasl-ssl]
 * [--hostile-records N] [--hostile-rate R] [--alertmanager-outage S]}: runs the failure scenarios, each on a fresh {@code ./vigil cluster} (with
 * {@code --kafka-security sasl-ssl} a cluster whose Kafka takes SASL/SCRAM over TLS only, every component its own
 * user with ACLs), and prints what was lost, repeated and how long recovery took. The
 * progress goes to stderr, the table (or the JSON array) to stdout. Exit code 1 when a scenario lost or repeated
 * something or did not recover.
 */
public final class ChaosCommand {

    private ChaosCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        boolean json = false;
        List<ClusterChaos.Scenario> scenarios = new ArrayList<>(List.of(ClusterChaos.Scenario.values()));
        int hosts = 16;
        int runSeconds = 30;
        long hostileRecords = ClusterChaos.DEFAULT_HOSTILE_RECORDS;
        double hostileRate = ClusterChaos.DEFAULT_HOSTILE_RATE;
        Duration alertmanagerOutage = ClusterChaos.DEFAULT_ALERTMANAGER_OUTAGE;
        Map<String, String> settings = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--scenarios" -> {
                    scenarios.clear();
                    for (String id : value(args, ++i).split(",")) {
                        try {
                            scenarios.add(ClusterChaos.Scenario.valueOf(id.trim().toUpperCase()));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("unknown scenario '" + id + "'; have "
                                    + Arrays.toString(ClusterChaos.Scenario.values()));
                        }
                    }
                }
                case "--hosts" -> hosts = Integer.parseInt(value(args, ++i));
                case "--run-seconds" -> runSeconds = Integer.parseInt(value(args, ++i));
                case "--kafka-security" -> settings.put("cluster.kafka-security", value(args, ++i));
                case "--hostile-records" -> hostileRecords = Long.parseLong(value(args, ++i));
                case "--hostile-rate" -> hostileRate = Double.parseDouble(value(args, ++i));
                case "--alertmanager-outage" -> alertmanagerOutage = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        Path home = Path.of(System.getProperty("vigil.home", ".")).toAbsolutePath().normalize();
        ClusterChaos chaos = new ClusterChaos(home, hosts, Duration.ofSeconds(runSeconds), settings, hostileRecords,
                hostileRate, err).alertmanagerOutage(alertmanagerOutage);
        List<ChaosResult> results = new ArrayList<>();
        for (ClusterChaos.Scenario s : scenarios) {
            try {
                results.add(chaos.run(s));
            } catch (Exception e) {
                err.println("== " + s + " could not run: " + e);
                e.printStackTrace(err);
                results.add(new ChaosResult(s.name(), s.description, 0, 0, 0, 0, 0, 0, 0, -1,
                        "did not run: " + e));
            }
        }
        if (json) {
            out.println(ClusterChaos.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results.stream()
                    .map(ChaosCommand::json).toList()));
        } else {
            out.println(table(results));
        }
        return results.stream().allMatch(ChaosResult::passed) ? 0 : 1;
    }

    /** One result as {@code --json} prints it; R7 adds {@code missedPages}, {@code falseResolves}, {@code duplicateTriggers}. */
    static Map<String, Object> json(ChaosResult r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("scenario", r.scenario());
        m.put("description", r.description());
        m.put("recordsIn", r.recordsIn());
        m.put("stored", r.stored());
        m.put("deadLettered", r.deadLettered());
        m.put("lost", r.lost());
        m.put("duplicated", r.duplicated());
        m.put("alertEvents", r.alertEvents());
        m.put("duplicateAlerts", r.duplicateAlerts());
        if (r.paging() != null) {
            m.put("pagedIncidents", r.paging().pagedIncidents());
            m.put("missedPages", r.paging().missedPages());
            m.put("falseResolves", r.paging().falseResolves());
            m.put("duplicateTriggers", r.paging().duplicateTriggers());
        }
        m.put("recoverySeconds", r.recoverySeconds());
        m.put("passed", r.passed());
        m.put("note", r.note());
        return m;
    }

    static String table(List<ChaosResult> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-4s %-52s %10s %10s %8s %6s %6s %7s %9s  %s%n", "", "scenario", "records in",
                "stored", "dead-let", "lost", "dup", "dup al.", "recovery", "note"));
        for (ChaosResult r : results) {
            b.append(String.format("%-4s %-52s %10d %10d %8d %6d %6d %7d %9s  %s%n", r.scenario(), r.description(),
                    r.recordsIn(), r.stored(), r.deadLettered(), r.lost(), r.duplicated(), r.duplicateAlerts(),
                    r.recoverySeconds() < 0 ? "none" : r.recoverySeconds() + " s", r.note()));
        }
        return b.toString();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }
}
