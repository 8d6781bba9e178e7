package io.vigil.evaluation.field;

import java.util.List;

/**
 * A fleet described for {@link FieldFleet}: telemetry written independently of Vigil's simulator and its fault
 * models, shaped after real captures (an H100's nvidia-smi: whole watts and degrees, a constant 1,980 MHz clock
 * under load, 345 MHz idle) and after what real fleets do to a monitoring system. Hosts are numbered from 0, eight
 * GPUs each, four to a rack ({@code R01}…); CDU-A feeds the first half of the racks and CDU-B the rest.
 *
 * @param hosts     hosts in the fleet
 * @param jobs      the training jobs on it
 * @param nuisances what the fleet does that is no fault
 * @param faults    the real problems, which a detector must find
 */
public record FieldWorkload(int hosts, List<Job> jobs, Nuisances nuisances, List<Fault> faults) {

    public FieldWorkload {
        if (hosts < 1) throw new IllegalArgumentException("a fleet needs hosts");
        jobs = List.copyOf(jobs);
        faults = List.copyOf(faults);
    }

    public int gpus() {
        return hosts * 8;
    }

    /** How a job's ranks differ from each other, persistently: structure to learn, not to page on. */
    public enum Shape {
        /** every rank alike, synchronous data-parallel */
        UNIFORM,
        /** two groups at different speeds: every third host's ranks take 3x the step time, at half the activity */
        BIMODAL,
        /** the job's first quarter of hosts are a slower GPU model (1,410 MHz, 400 W) */
        MIXED_MODELS,
        /** the job's last host leaves at 40% of the run and comes back at 70% (an elastic job) */
        ELASTIC
    }

    /**
     * A training job on hosts {@code firstHost .. firstHost + hostCount - 1}, from {@code startS}: it loads data for
     * {@code warmupS} at low activity, then trains, pausing for a checkpoint of {@code checkpointS} every
     * {@code checkpointEveryS} (0: never).
     */
    public record Job(String id, int firstHost, int hostCount, int startS, int warmupS, int checkpointEveryS,
                      int checkpointS, double stepMs, boolean stepEvents, Shape shape) {}

    /**
     * What the fleet does that is no fault.
     *
     * @param clockOffsets  every host's clock is off by a constant drawn from -3 s to +3 s
     * @param bursty        every fourth host's collector delivers in bursts: every 3 s, 3 s late
     * @param omitFields    a quarter of the hosts report no SM/tensor activity, slowdown threshold or clock-event
     *                      reasons (an nvidia-smi based collector); another quarter no NVLink counters
     * @param groupSwitches in bimodal jobs, now and then one worker runs with the other group for 1-2 s
     */
    public record Nuisances(boolean clockOffsets, boolean bursty, boolean omitFields, boolean groupSwitches) {
        public static Nuisances all() {
            return new Nuisances(true, true, true, true);
        }

        public static Nuisances none() {
            return new Nuisances(false, false, false, false);
        }
    }

    /** A real problem from {@code startS} for {@code durationS}. */
    public record Fault(Kind kind, int host, int gpu, String device, int startS, int durationS) {
        public enum Kind {
            /** the GPU's clock drops to 1,395 MHz under a hardware power brake; its job waits for it */
            THROTTLED_GPU,
            /** the rank's steps take 4x its own usual time (its input shard or worker slows) */
            SLOW_WORKER,
            /** the GPU heats 1.5 °C per second up to 92 °C, reporting thermal slowdown past 87 °C */
            OVERHEATING_GPU,
            /** the CDU's flow falls to 40%, its supply coolant warms, the GPUs it cools heat up */
            CDU_FLOW_LOSS,
            /** the host sends nothing */
            HOST_DOWN
        }

        public boolean activeAt(int second) {
            return second >= startS && second < startS + durationS;
        }
    }
}
