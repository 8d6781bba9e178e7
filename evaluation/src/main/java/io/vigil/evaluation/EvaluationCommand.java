package io.vigil.evaluation;

import io.vigil.evaluation.bench.DetectionBenchmark;
import io.vigil.evaluation.scorecard.Scorecard;
import java.util.Arrays;

/**
 * {@code ./vigil scorecard ...}, {@code ./vigil bench detection ...} and {@code ./vigil bench notifications ...}: evaluation, kept apart from the launcher,
 * which only starts and stops Vigil's components.
 */
public final class EvaluationCommand {

    private EvaluationCommand() {}

    public static void main(String[] args) {
        int code = 0;
        try {
            if (args.length >= 1 && args[0].equals("scorecard")) {
                code = Scorecard.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
            } else if (args.length >= 1 && args[0].equals("chaos")) {
                code = io.vigil.evaluation.chaos.ChaosCommand.run(Arrays.copyOfRange(args, 1, args.length),
                        System.out, System.err);
            } else if (args.length >= 2 && args[0].equals("bench") && args[1].equals("detection")) {
                DetectionBenchmark.main(Arrays.copyOfRange(args, 2, args.length));
            } else if (args.length >= 2 && args[0].equals("bench") && args[1].equals("storage")) {
                io.vigil.evaluation.bench.StorageBenchmark.main(Arrays.copyOfRange(args, 2, args.length));
            } else if (args.length >= 2 && args[0].equals("bench") && args[1].equals("cluster")) {
                io.vigil.evaluation.bench.ClusterBenchmark.main(Arrays.copyOfRange(args, 2, args.length));
            } else if (args.length >= 2 && args[0].equals("bench") && args[1].equals("dashboard")) {
                io.vigil.evaluation.bench.DashboardBenchmark.main(Arrays.copyOfRange(args, 2, args.length));
            } else if (args.length >= 2 && args[0].equals("bench") && args[1].equals("site")) {
                io.vigil.evaluation.bench.SiteBenchmark.main(Arrays.copyOfRange(args, 2, args.length));
            } else if (args.length >= 2 && args[0].equals("bench") && args[1].equals("notifications")) {
                io.vigil.evaluation.bench.NotificationBenchmark.main(Arrays.copyOfRange(args, 2, args.length));
            } else {
                System.err.println("Usage: ./vigil scorecard [--json] [--sensitivity] [--soak-hours H] [--arrival] "
                        + "[--generated N [--seed S] [--arrival-modes real_time,backlog,shuffled,restart]] | "
                        + "./vigil bench detection [--json] [--gpus N] [--seconds S] [--load-seconds S] | "
                        + "./vigil bench notifications [--json] [--per-minute N] [--seconds S] [--burst N] [--black-hole] | "
                        + "./vigil bench storage [--json] [--gpus N] [--seconds S] | "
                        + "./vigil bench dashboard [--json] [--gpus N] [--sessions N] [--seconds S] | "
                        + "./vigil bench cluster [--json] [--hosts N or LOW,HIGH] [--seconds S] | "
                        + "./vigil bench site [--json] [--hosts N] [--minutes M] [--sessions N] | "
                        + "./vigil chaos [--json] [--scenarios R1,R2,R3,R4,R6,R8,R9] [--hosts N] [--run-seconds S]");
                code = 2;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("vigil " + args[0] + ": " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            // A Flink job failure says only "Job execution failed": the first cause is what went wrong.
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            System.err.println("vigil " + args[0] + ": " + e + (root == e ? "" : "\n  caused by: " + root));
            if (Boolean.getBoolean("vigil.trace")) e.printStackTrace();
            code = 1;
        }
        org.apache.logging.log4j.LogManager.shutdown();
        System.exit(code);
    }
}
