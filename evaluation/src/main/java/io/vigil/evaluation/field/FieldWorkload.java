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
     * @param gapFraction   this share of GPU samples (0 to 0.1) never arrives
     * @param maxDelayMs    every host's records arrive a constant delay late, drawn up to this (0 to 5,000 ms)
     * @param jobSlowdowns  now and then a whole synchronous job slows by a third for 20-60 s (its input pipeline, a
     *                      congested storage or network): every rank alike, so no straggler
     */
    public record Nuisances(boolean clockOffsets, boolean bursty, boolean omitFields, boolean groupSwitches,
                            double gapFraction, long maxDelayMs, boolean jobSlowdowns) {
        public Nuisances {
            if (gapFraction < 0 || gapFraction > 0.1) throw new IllegalArgumentException("gaps: 0 to 10 %");
            if (maxDelayMs < 0 || maxDelayMs > 5_000) throw new IllegalArgumentException("delays: 0 to 5 s");
        }

        public Nuisances(boolean clockOffsets, boolean bursty, boolean omitFields, boolean groupSwitches) {
            this(clockOffsets, bursty, omitFields, groupSwitches, 0, 0, false);
        }

        public static Nuisances all() {
            return new Nuisances(true, true, true, true);
        }

        public static Nuisances none() {
            return new Nuisances(false, false, false, false);
        }
    }

    /** Which clock-event reason a throttled GPU reports, if any (NVML's bits). */
    public enum Reason {
        /** none at all: the GPU is slow and says nothing (a clock locked low, a degraded part) */
        NONE(0),
        /** a software power cap */
        SW_POWER_CAP(0x4),
        /** a hardware slowdown with the power brake asserted (the suite's default) */
        HW_POWER_BRAKE(0x80 | 0x8),
        /** a software thermal slowdown, reported on a GPU that is not hot */
        SW_THERMAL(0x20);

        public final long bits;

        Reason(long bits) {
            this.bits = bits;
        }
    }

    /**
     * A real problem from {@code startS} for {@code durationS}, of a size ({@code magnitude}; NaN: the kind's usual
     * size), reaching it at once or over {@code rampS} seconds.
     */
    public record Fault(Kind kind, int host, int gpu, String device, int startS, int durationS, double magnitude,
                        int rampS, Reason reason) {
        public enum Kind {
            /**
             * the GPU's SM clock drops by {@code magnitude} (a fraction; usual 0.295, to 1,395 MHz) with its
             * {@link Reason} (usual: the power brake); its synchronous job waits for it
             */
            THROTTLED_GPU(1 - 1395.0 / 1980),
            /** the rank's steps take {@code 1 + magnitude} times its own usual time (usual 3: 4x) */
            SLOW_WORKER(3),
            /** the GPU heats 1.5 °C per second up to 92 °C, reporting thermal slowdown past 87 °C */
            OVERHEATING_GPU(92),
            /**
             * the GPU runs {@code magnitude} °C hotter than it usually does at its power (a failing cold plate or
             * fan), without reaching its slowdown temperature (usual 12)
             */
            COLD_PLATE(12),
            /** the CDU's flow falls by {@code magnitude} (usual 0.6), its supply coolant warms, its GPUs heat up */
            CDU_FLOW_LOSS(0.6),
            /** the host sends nothing */
            HOST_DOWN(1);

            public final double usual;

            Kind(double usual) {
                this.usual = usual;
            }
        }

        public Fault(Kind kind, int host, int gpu, String device, int startS, int durationS) {
            this(kind, host, gpu, device, startS, durationS, Double.NaN, 0, null);
        }

        /** The size in effect {@code second}s into the run: the ramp's share of the magnitude. */
        public double sizeAt(int second) {
            double m = Double.isNaN(magnitude) ? kind.usual : magnitude;
            if (rampS <= 0) return m;
            return m * Math.min(1.0, (second - startS + 1) / (double) rampS);
        }

        /** The reason the GPU reports (the usual one when none is given). */
        public Reason reasonOrUsual() {
            return reason == null ? Reason.HW_POWER_BRAKE : reason;
        }

        public boolean activeAt(int second) {
            return second >= startS && second < startS + durationS;
        }
    }
}
