package io.vigil.evaluation.scorecard;

import io.vigil.collectors.simulator.Fault;
import io.vigil.collectors.simulator.ScheduledFault;
import io.vigil.collectors.simulator.SimulatorConfig;
import io.vigil.evaluation.scorecard.Scenario.Disturbance;
import io.vigil.evaluation.scorecard.Scenario.Expectation;
import io.vigil.model.AlertType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scorecard's scenarios. Every scenario runs the same 128-GPU cluster for five minutes: one row of four racks
 * (A01–A04) of four 8-GPU hosts; CDU-1 feeds A01–A02 and CDU-2 A03–A04; job-1 runs on the four hosts of A01 (32
 * ranks), job-2 on A02-n1..n2, job-3 on A02-n3..n4, job-4 on A03-n1..n2 (16 ranks each); the other six hosts idle.
 * Jobs checkpoint on their own rhythm. Faults start at 90 s, after the detectors have learned what normal is.
 */
public final class ScenarioSuite {

    static final Duration LENGTH = Duration.ofMinutes(5);
    static final Duration AT = Duration.ofSeconds(90);
    static final Duration FOR = Duration.ofMinutes(2);
    /** A fault counts as found if its alert comes before it ends plus this. */
    static final Duration GRACE = Duration.ofSeconds(60);

    private ScenarioSuite() {}

    public static SimulatorConfig cluster(String name, long seed) {
        return new SimulatorConfig(name, 1, 4, 4, 8, 2, 4, Duration.ofSeconds(1), 1000, seed, "scorecard-" + name);
    }

    public static List<Scenario> all() {
        List<Scenario> s = new ArrayList<>();
        Disturbance none = Disturbance.none();
        s.add(positive("straggler-rank", "rank 13 of job-1 runs at 71% clock", new Fault.Straggler("job-1", 13), none,
                false, expect(AlertType.STRAGGLER, "job", "job-1", "rank", "13")));
        s.add(positive("straggler-small-job", "rank 5 of the 16-rank job-2 slows", new Fault.Straggler("job-2", 5),
                none, false, expect(AlertType.STRAGGLER, "job", "job-2", "rank", "5")));
        s.add(positive("straggler-step-events", "rank 20 of job-1 slows; the job also reports step events",
                new Fault.Straggler("job-1", 20), none, true, expect(AlertType.STRAGGLER, "job", "job-1", "rank", "20")));
        s.add(positive("straggler-host", "host A01-n3 (ranks 16-23 of job-1) falls behind: slow input, NIC or PCIe",
                new Fault.HostStraggler("A01-n3"), none, false,
                expect(AlertType.STRAGGLER, "job", "job-1", "host", "A01-n3")));
        s.add(positive("straggler-noisy", "rank 30 of job-1 slows, with noisy sensors",
                new Fault.Straggler("job-1", 30), new Disturbance(true, 0, 0, Map.of(), 0), false,
                expect(AlertType.STRAGGLER, "job", "job-1", "rank", "30")));
        s.add(positive("straggler-out-of-order", "rank 7 of job-1 slows; samples arrive up to 1.5 s out of order",
                new Fault.Straggler("job-1", 7), new Disturbance(false, 0, 1500, Map.of(), 0), false,
                expect(AlertType.STRAGGLER, "job", "job-1", "rank", "7")));
        s.add(positive("sync-stall", "job-1 hangs in a collective; rank 0 is the one that hung",
                new Fault.SyncStall("job-1"), none, false, expect(AlertType.SYNC_STALL, "job", "job-1", "rank", "0")));
        s.add(positive("sync-stall-small-job", "job-3 hangs in a collective", new Fault.SyncStall("job-3"), none,
                false, expect(AlertType.SYNC_STALL, "job", "job-3")));
        s.add(positive("gpu-thermal-runaway", "A01-n2/gpu3's cold plate fails (rank 11 of job-1)",
                new Fault.GpuThermalRunaway("A01-n2", 3), none, false,
                expect(AlertType.THERMAL, "host", "A01-n2", "gpu", "3"),
                allow(AlertType.STRAGGLER, "job", "job-1", "rank", "11")));
        s.add(positive("gpu-thermal-job-4", "A03-n2/gpu6's cold plate fails (job-4)",
                new Fault.GpuThermalRunaway("A03-n2", 6), none, false,
                expect(AlertType.THERMAL, "host", "A03-n2", "gpu", "6"),
                allow(AlertType.STRAGGLER, "job", "job-4", "rank", "14")));
        s.add(positive("cdu-flow-loss", "CDU-1 loses flow; racks A01-A02 (jobs 1-3) heat up",
                new Fault.CduFlowLoss("CDU-1"), none, false, expect(AlertType.COOLING, "device", "CDU-1"),
                allow(AlertType.THERMAL, "rack", "A01"), allow(AlertType.THERMAL, "rack", "A02"),
                allow(AlertType.STRAGGLER, "rack", "A01"), allow(AlertType.STRAGGLER, "rack", "A02"),
                allow(AlertType.STRAGGLER, "job", "job-1"), allow(AlertType.STRAGGLER, "job", "job-2"),
                allow(AlertType.STRAGGLER, "job", "job-3")));
        s.add(positive("cdu-leak", "CDU-2's leak detector trips", new Fault.CduLeak("CDU-2"), none, false,
                expect(AlertType.LEAK, "device", "CDU-2")));
        s.add(positive("rack-inlet-hot", "rack A03's inlet air rises to 31 °C", new Fault.RackInletHot("A03", 31),
                none, false, expect(AlertType.COOLING, "device", "A03-air")));
        s.add(positive("pdu-overload", "rack A01 draws 30 kW more, near its 60 kW PDU",
                new Fault.PduOverload("A01", 30_000), none, false, expect(AlertType.POWER, "device", "A01-pdu")));
        s.add(positive("gpu-silent", "A02-n1/gpu2 stops reporting", new Fault.GpuSilent("A02-n1", 2), none, false,
                expect(AlertType.SILENT, "host", "A02-n1", "gpu", "2")));
        s.add(positive("host-silent-idle", "idle host A04-n4 stops reporting", new Fault.HostSilent("A04-n4"), none,
                false, expect(AlertType.SILENT, "host", "A04-n4", "scope", "host")));
        s.add(positive("host-silent-in-job", "host A01-n4 of job-1 stops reporting", new Fault.HostSilent("A01-n4"),
                none, false, expect(AlertType.SILENT, "host", "A01-n4", "scope", "host")));
        s.add(positive("gpu-lost", "A02-n3/gpu1 falls off the bus (XID 79)", new Fault.GpuLost("A02-n3", 1), none,
                false, expect(AlertType.GPU_LOST, "host", "A02-n3", "gpu", "1"),
                allow(AlertType.XID, "host", "A02-n3", "gpu", "1")));
        s.add(positive("xid-48", "A01-n1/gpu4 reports a double-bit ECC error (XID 48)", new Fault.Xid("A01-n1", 4, 48),
                none, false, expect(AlertType.XID, "host", "A01-n1", "gpu", "4", "xid", "48")));

        s.add(negative("checkpoint-pause-long", "job-1 pauses 90 s for a long checkpoint",
                List.of(new ScheduledFault(AT, Duration.ofSeconds(90), new Fault.CheckpointPause("job-1"))), none, false));
        s.add(negative("job-start-and-end", "job-2 starts at 100 s (warm-up), job-3 ends at 200 s",
                List.of(new ScheduledFault(Duration.ZERO, Duration.ofSeconds(100), new Fault.JobNotRunning("job-2")),
                        new ScheduledFault(Duration.ofSeconds(200), LENGTH, new Fault.JobNotRunning("job-3"))), none,
                false));
        s.add(negative("whole-job-slowdown", "every rank of job-1 runs 20% slower (a job-wide power cap)",
                List.of(new ScheduledFault(AT, FOR, new Fault.JobSlowdown("job-1"))), none, false));
        s.add(negative("noisy-sensors", "extra sensor noise and single-sample spikes everywhere", List.of(),
                new Disturbance(true, 0, 0, Map.of(), 0), true));
        s.add(negative("missing-samples", "5% of GPU samples lost, and short gaps (under the silence timeout)",
                List.of(), new Disturbance(false, 0.05, 0, Map.of(), 20), false));
        s.add(negative("clock-skew", "A01-n2's clock runs 1.5 s ahead, A02-n1's 1.2 s behind", List.of(),
                new Disturbance(false, 0, 0, Map.of("A01-n2", 1500L, "A02-n1", -1200L), 0), false));
        s.add(negative("out-of-order", "samples arrive up to 1.5 s out of order", List.of(),
                new Disturbance(false, 0, 1500, Map.of(), 0), false));
        s.add(negative("hot-rack-in-spec", "rack A04's inlet air at 26.5 °C: warm but within ASHRAE's 27 °C",
                List.of(new ScheduledFault(AT, FOR, new Fault.RackInletHot("A04", 26.5))), none, false));
        return List.copyOf(s);
    }

    private static Scenario positive(String name, String description, Fault fault, Disturbance d, boolean steps,
                                     Expectation expected, Expectation... allowed) {
        Expectation e = new Expectation(expected.type(), expected.labels(), AT, AT.plus(FOR).plus(GRACE));
        List<Expectation> a = new ArrayList<>();
        for (Expectation x : allowed) a.add(new Expectation(x.type(), x.labels(), AT, LENGTH));
        return new Scenario(name, description, LENGTH, List.of(new ScheduledFault(AT, FOR, fault)), d, steps,
                List.of(e), List.copyOf(a), null);
    }

    private static Scenario negative(String name, String description, List<ScheduledFault> faults, Disturbance d,
                                     boolean steps) {
        return new Scenario(name, description, LENGTH, faults, d, steps, List.of(), List.of(), null);
    }

    private static Expectation expect(AlertType type, String... labels) {
        return new Expectation(type, map(labels), AT, LENGTH);
    }

    private static Expectation allow(AlertType type, String... labels) {
        return expect(type, labels);
    }

    private static Map<String, String> map(String... kv) {
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
