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
 * [--hostile-records N] [--hostile-rate R]}: runs the failure scenarios, each on a fresh {@code ./vigil cluster} (with
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
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        Path home = Path.of(System.getProperty("vigil.home", ".")).toAbsolutePath().normalize();
        ClusterChaos chaos = new ClusterChaos(home, hosts, Duration.ofSeconds(runSeconds), settings, hostileRecords,
                hostileRate, err);
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
                    .map(r -> Map.ofEntries(Map.entry("scenario", r.scenario()),
                            Map.entry("description", r.description()), Map.entry("recordsIn", r.recordsIn()),
                            Map.entry("stored", r.stored()), Map.entry("deadLettered", r.deadLettered()),
                            Map.entry("lost", r.lost()), Map.entry("duplicated", r.duplicated()),
                            Map.entry("alertEvents", r.alertEvents()), Map.entry("duplicateAlerts", r.duplicateAlerts()),
                            Map.entry("recoverySeconds", r.recoverySeconds()), Map.entry("passed", r.passed()),
                            Map.entry("note", r.note()))).toList()));
        } else {
            out.println(table(results));
        }
        return results.stream().allMatch(ChaosResult::passed) ? 0 : 1;
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
