package io.vigil.evaluation.scorecard;

import io.vigil.collectors.simulator.ScheduledFault;
import io.vigil.collectors.simulator.SimulatorConfig;
import io.vigil.evaluation.field.FieldWorkload;
import io.vigil.model.AlertType;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One labelled scenario of the detection scorecard: a simulated cluster running for {@code length}, the faults
 * injected into it, how its telemetry is disturbed on the way (noise, gaps, skew, disorder), what a detector must
 * find ({@code expected}) and what it may find as a consequence ({@code allowed}, e.g. the GPUs heating on the racks
 * of a CDU that lost flow). A scenario without expectations is a hard negative: any alert is a false positive.
 */
public record Scenario(String name, String description, Duration length, List<ScheduledFault> faults,
                       Disturbance disturbance, boolean stepEvents, List<Expectation> expected,
                       List<Expectation> allowed, SimulatorConfig simulator, FieldWorkload field) {

    /** A scenario on Vigil's simulator. */
    public Scenario(String name, String description, Duration length, List<ScheduledFault> faults,
                    Disturbance disturbance, boolean stepEvents, List<Expectation> expected,
                    List<Expectation> allowed, SimulatorConfig simulator) {
        this(name, description, length, faults, disturbance, stepEvents, expected, allowed, simulator, null);
    }

    /** A scenario on the independent field fleet ({@link io.vigil.evaluation.field.FieldFleet}). */
    public static Scenario field(String name, String description, Duration length, FieldWorkload field,
                                 List<Expectation> expected, List<Expectation> allowed) {
        return new Scenario(name, description, length, List.of(), Disturbance.none(), false, expected, allowed, null,
                field);
    }

    /** GPUs the scenario's fleet holds. */
    public int gpus() {
        if (field != null) return field.gpus();
        SimulatorConfig c = simulator == null ? ScenarioSuite.cluster(name, 0) : simulator;
        return c.rows() * c.racksPerRow() * c.hostsPerRack() * c.gpusPerHost();
    }

    /** When the scenario's last fault ends (ms after its start); 0 without faults. */
    public long faultsEndMs() {
        long end = 0;
        for (ScheduledFault f : faults) end = Math.max(end, f.at().plus(f.duration()).toMillis());
        if (field != null) {
            for (FieldWorkload.Fault f : field.faults()) end = Math.max(end, (f.startS() + f.durationS()) * 1000L);
        }
        return Math.min(end, length.toMillis());
    }

    /** GPU-hours of telemetry the scenario produces. */
    public double gpuHours() {
        return gpus() * length.toMillis() / 3_600_000.0;
    }

    /** The simulated cluster: the given one, renamed after the scenario, or the suite's. */
    public SimulatorConfig cluster(long seed) {
        if (simulator == null) return ScenarioSuite.cluster(name, seed);
        return new SimulatorConfig(name, simulator.rows(), simulator.racksPerRow(), simulator.hostsPerRack(),
                simulator.gpusPerHost(), simulator.racksPerCdu(), simulator.jobs(), simulator.interval(), 1000,
                simulator.seed(), "scenario-" + name);
    }

    /**
     * An alert a scenario expects (or allows): of {@code type}, with at least these labels, detected between the
     * fault's start and {@code until}.
     */
    public record Expectation(AlertType type, Map<String, String> labels, Duration from, Duration until) {}

    /**
     * How telemetry is disturbed between the simulator and the job.
     *
     * @param noise        extra sensor noise, and rare single-sample spikes
     * @param dropFraction share of GPU samples lost at random
     * @param maxDelayMs   samples arrive up to this late, so out of order
     * @param skewMs       per host, how far its clock is off
     * @param gapsEveryS   every this many seconds one GPU misses a few samples in a row (0: never)
     */
    public record Disturbance(boolean noise, double dropFraction, long maxDelayMs, Map<String, Long> skewMs,
                              int gapsEveryS) {
        public static Disturbance none() {
            return new Disturbance(false, 0, 0, Map.of(), 0);
        }
    }

    public boolean negative() {
        return expected.isEmpty();
    }
}
