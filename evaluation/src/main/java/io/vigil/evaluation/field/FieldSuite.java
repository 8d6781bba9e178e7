package io.vigil.evaluation.field;

import io.vigil.evaluation.field.FieldWorkload.Fault;
import io.vigil.evaluation.field.FieldWorkload.Job;
import io.vigil.evaluation.field.FieldWorkload.Nuisances;
import io.vigil.evaluation.field.FieldWorkload.Shape;
import io.vigil.evaluation.scorecard.Scenario;
import io.vigil.evaluation.scorecard.Scenario.Expectation;
import io.vigil.model.AlertType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scorecard's field scenarios: {@link FieldFleet} telemetry with every nuisance on (clock offsets of up to 3 s
 * either way on every host, bursty late delivery, vendors that omit fields, a job with two speed groups whose
 * workers now and then switch, a job on two GPU models, an elastic job), with and without real faults, several at
 * once in one. 16 hosts (128 GPUs, racks R01–R04) for five minutes each; faults start at 120 s.
 *
 * <p>Jobs: {@code job-a}, synchronous, on hosts 0–7 (R01–R02, 64 ranks), checkpointing 20 s every 100 s;
 * {@code job-b}, bimodal, on hosts 8–13 (a third of its workers 3x slower), reporting step events; hosts 14–15 idle.
 * In {@code field-models-elastic}, {@code job-c} runs on two A100 and six H100 hosts and {@code job-d} loses and
 * regains a host.
 */
public final class FieldSuite {

    static final Duration LENGTH = Duration.ofMinutes(5);
    static final int AT = 120;
    static final int FOR = 90;
    static final Duration GRACE = Duration.ofSeconds(60);

    private FieldSuite() {}

    static List<Job> trainingJobs() {
        return List.of(new Job("job-a", 0, 8, 10, 30, 100, 20, 900, false, Shape.UNIFORM),
                new Job("job-b", 8, 6, 0, 20, 120, 15, 700, true, Shape.BIMODAL));
    }

    static List<Job> unevenJobs() {
        return List.of(new Job("job-c", 0, 8, 5, 25, 90, 20, 1000, true, Shape.MIXED_MODELS),
                new Job("job-d", 8, 4, 15, 20, 0, 0, 800, false, Shape.ELASTIC));
    }

    public static List<Scenario> all() {
        List<Scenario> s = new ArrayList<>();
        s.add(negative("field-quiet", "two jobs, every nuisance on, no fault", trainingJobs()));
        s.add(negative("field-models-elastic", "a job on two GPU models, an elastic job, every nuisance on",
                unevenJobs()));
        s.add(positive("field-throttled-gpu", "R01-n4/gpu5 (job-a rank 29) drops to 1,395 MHz under a power brake",
                List.of(fault(Fault.Kind.THROTTLED_GPU, 3, 5)),
                List.of(expect(AlertType.STRAGGLER, "job", "job-a", "rank", "29")), List.of()));
        s.add(positive("field-slow-workers", "in the bimodal job-b, ranks 10 and 11 jump to 4x their own step time",
                List.of(fault(Fault.Kind.SLOW_WORKER, 9, 2), fault(Fault.Kind.SLOW_WORKER, 9, 3)),
                List.of(expect(AlertType.STRAGGLER, "job", "job-b", "rank", "10"),
                        expect(AlertType.STRAGGLER, "job", "job-b", "rank", "11")),
                List.of(expect(AlertType.STRAGGLER, "job", "job-b", "host", FieldFleet.host(9)))));
        s.add(positive("field-overheating", "R04-n1/gpu1 (job-b rank 33) heats past its slowdown temperature",
                List.of(fault(Fault.Kind.OVERHEATING_GPU, 12, 1)),
                List.of(expect(AlertType.THERMAL, "host", FieldFleet.host(12), "gpu", "1")),
                List.of(expect(AlertType.STRAGGLER, "job", "job-b", "rank", "33"))));
        s.add(positive("field-cdu-flow", "CDU-A (racks R01-R02) loses 60% of its flow",
                List.of(new Fault(Fault.Kind.CDU_FLOW_LOSS, -1, -1, "CDU-A", AT, FOR)),
                List.of(expect(AlertType.COOLING, "device", "CDU-A")),
                List.of(expect(AlertType.THERMAL, "rack", "R01"), expect(AlertType.THERMAL, "rack", "R02"),
                        expect(AlertType.STRAGGLER, "job", "job-a"))));
        s.add(new Scenario("field-multi", "three faults at once: R02-n2/gpu0 throttled (job-a rank 40) from 100 s, "
                + "idle host R04-n4 down 150-210 s, R03-n4/gpu7 (job-b rank 31) overheating from 200 s", LENGTH,
                List.of(), Scenario.Disturbance.none(), false,
                List.of(new Expectation(AlertType.STRAGGLER, map("job", "job-a", "rank", "40"), secs(100), secs(250)),
                        new Expectation(AlertType.SILENT, map("host", FieldFleet.host(15), "scope", "host"), secs(150),
                                secs(270)),
                        new Expectation(AlertType.THERMAL, map("host", FieldFleet.host(11), "gpu", "7"), secs(200),
                                secs(300))),
                List.of(new Expectation(AlertType.STRAGGLER, map("job", "job-b", "rank", "31"), secs(200), LENGTH)),
                null, new FieldWorkload(16, trainingJobs(), Nuisances.all(),
                List.of(new Fault(Fault.Kind.THROTTLED_GPU, 5, 0, null, 100, 100),
                        new Fault(Fault.Kind.HOST_DOWN, 15, -1, null, 150, 60),
                        new Fault(Fault.Kind.OVERHEATING_GPU, 11, 7, null, 200, 60)))));
        return List.copyOf(s);
    }

    /**
     * The long healthy run: 32 hosts (256 GPUs) for {@code hours} with every nuisance and every job shape, and no
     * fault: every page is a false page.
     */
    public static Scenario soak(double hours) {
        List<Job> jobs = new ArrayList<>(trainingJobs());
        for (Job j : unevenJobs()) {
            jobs.add(new Job(j.id(), j.firstHost() + 16, j.hostCount(), j.startS(), j.warmupS(), j.checkpointEveryS(),
                    j.checkpointS(), j.stepMs(), j.stepEvents(), j.shape()));
        }
        return Scenario.field("field-soak", String.format("%.1f h of a healthy 256-GPU fleet, every nuisance on", hours),
                Duration.ofSeconds(Math.round(hours * 3600)), new FieldWorkload(32, jobs, Nuisances.all(), List.of()),
                List.of(), List.of());
    }

    private static Scenario negative(String name, String description, List<Job> jobs) {
        return Scenario.field(name, description, LENGTH, new FieldWorkload(16, jobs, Nuisances.all(), List.of()),
                List.of(), List.of());
    }

    private static Scenario positive(String name, String description, List<Fault> faults, List<Expectation> expected,
                                     List<Expectation> allowed) {
        return Scenario.field(name, description, LENGTH, new FieldWorkload(16, trainingJobs(), Nuisances.all(), faults),
                expected, allowed);
    }

    private static Fault fault(Fault.Kind kind, int host, int gpu) {
        return new Fault(kind, host, gpu, null, AT, FOR);
    }

    private static Expectation expect(AlertType type, String... labels) {
        return new Expectation(type, map(labels), secs(AT), secs(AT + FOR).plus(GRACE));
    }

    private static Duration secs(int s) {
        return Duration.ofSeconds(s);
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
