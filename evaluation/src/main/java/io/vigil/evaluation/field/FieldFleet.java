package io.vigil.evaluation.field;

import io.vigil.evaluation.field.FieldWorkload.Fault;
import io.vigil.evaluation.field.FieldWorkload.Job;
import io.vigil.evaluation.field.FieldWorkload.Shape;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.Origin;
import io.vigil.model.PowerSample;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Field-like telemetry for a {@link FieldWorkload}, one second at a time, each record with the time it reaches
 * Kafka. Written apart from Vigil's simulator (its own signal model, its own faults) so that the scorecard does not
 * only judge the detectors on the data they were designed on. Deterministic for a seed.
 *
 * <p>Readings follow an H100's nvidia-smi captures: temperatures and power in whole units, SM activity in whole
 * percent, the SM clock at exactly 1,980 MHz under load and 345 MHz idle, a power reading that wanders a few watts.
 */
public final class FieldFleet {

    /** A record and when it arrives (epoch ms). */
    public record Delivery(TelemetryRecord record, long arrivalMs) {}

    private static final String[] MODEL = {"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"};

    private final String cluster;
    private final FieldWorkload w;
    private final long t0;
    private final Random random;
    private final long[] clockOffsetMs;
    private final boolean[] bursty;
    private final int[] omits; // 0 none, 1 activity/threshold/reasons, 2 link counters
    private final double[] tempOffset;
    private final Map<String, Double> stepCarry = new HashMap<>();
    private final Map<String, Long> stepNo = new HashMap<>();
    private final double[] energyJ;
    private int switchedWorker = -1;
    private int switchUntil = -1;
    private long seq;
    private final boolean[] jobRunning;
    private int lengthSeconds = 300;
    /** The nuisances added later (gaps, delays, job slowdowns) draw from their own sequence, so that the suite's
     *  fleets, which have none, stay what they were. */
    private final Random nuisance;
    private final long[] delayMs;
    /** Per job, until when (second) a whole-job slowdown lasts. */
    private final int[] slowUntil;

    public FieldFleet(String cluster, FieldWorkload workload, long t0, long seed) {
        this.cluster = cluster;
        this.w = workload;
        this.t0 = t0;
        this.random = new Random(seed);
        int n = workload.hosts();
        clockOffsetMs = new long[n];
        bursty = new boolean[n];
        omits = new int[n];
        tempOffset = new double[n * 8];
        energyJ = new double[n * 8];
        for (int h = 0; h < n; h++) {
            if (workload.nuisances().clockOffsets()) clockOffsetMs[h] = Math.round((random.nextDouble() * 2 - 1) * 3000);
            bursty[h] = workload.nuisances().bursty() && h % 4 == 1;
            omits[h] = workload.nuisances().omitFields() ? (h % 4 == 2 ? 1 : h % 4 == 3 ? 2 : 0) : 0;
            for (int g = 0; g < 8; g++) tempOffset[h * 8 + g] = random.nextGaussian() * 2.5;
        }
        jobRunning = new boolean[workload.jobs().size()];
        nuisance = new Random(seed * 7919 + 13);
        delayMs = new long[n];
        for (int h = 0; h < n; h++) {
            delayMs[h] = workload.nuisances().maxDelayMs() > 0
                    ? (long) (nuisance.nextDouble() * workload.nuisances().maxDelayMs()) : 0;
        }
        slowUntil = new int[workload.jobs().size()];
    }

    /** Whether job {@code k} runs slowed as a whole in second {@code s} (a nuisance, not a fault). */
    private boolean jobSlowed(Job j, int s) {
        int k = w.jobs().indexOf(j);
        return k >= 0 && s < slowUntil[k];
    }

    public static String host(int h) {
        return String.format("R%02d-n%d", h / 4 + 1, h % 4 + 1);
    }

    public static String rack(int h) {
        return String.format("R%02d", h / 4 + 1);
    }

    public static String cdu(FieldWorkload w, int h) {
        int racks = (w.hosts() + 3) / 4;
        return h / 4 < (racks + 1) / 2 ? "CDU-A" : "CDU-B";
    }

    /** The job's rank on host {@code h}, GPU {@code g}. */
    static int rank(Job j, int h, int g) {
        return (h - j.firstHost()) * 8 + g;
    }

    /** Everything the fleet sends during second {@code s} of the run. */
    public List<Delivery> step(int s) {
        List<Delivery> out = new ArrayList<>();
        long now = t0 + s * 1000L;
        if (w.nuisances().groupSwitches() && s >= switchUntil && random.nextDouble() < 1 / 40.0) {
            switchedWorker = random.nextInt(Math.max(1, w.hosts()));
            switchUntil = s + 1 + random.nextInt(2);
        }
        jobEvents(s, now, out);
        if (w.nuisances().jobSlowdowns()) {
            for (int k = 0; k < w.jobs().size(); k++) {
                Job j = w.jobs().get(k);
                if (j.shape() == Shape.UNIFORM && s >= slowUntil[k] + 60 && s >= j.startS() + j.warmupS()
                        && nuisance.nextDouble() < 1 / 90.0) {
                    slowUntil[k] = s + 20 + nuisance.nextInt(41);
                }
            }
        }
        double[] heat = cduHeat(s);
        for (int h = 0; h < w.hosts(); h++) {
            if (down(h, s)) continue;
            long arrival = bursty[h] ? (Math.floorDiv(now, 3000) + 1) * 3000 + 3000 : now + 50 + random.nextInt(200);
            arrival += delayMs[h];
            for (int g = 0; g < 8; g++) {
                GpuSample sample = gpu(h, g, s, now, heat);
                if (w.nuisances().gapFraction() > 0 && nuisance.nextDouble() < w.nuisances().gapFraction()) continue;
                out.add(new Delivery(sample, arrival));
            }
            steps(h, s, now, arrival, out);
        }
        facility(s, now, heat, out);
        return out;
    }

    private boolean down(int h, int s) {
        for (Fault f : w.faults()) {
            if (f.kind() == Fault.Kind.HOST_DOWN && f.host() == h && f.activeAt(s)) return true;
        }
        return false;
    }

    private Fault fault(Fault.Kind kind, int h, int g, int s) {
        for (Fault f : w.faults()) {
            if (f.kind() == kind && f.host() == h && (f.gpu() < 0 || f.gpu() == g) && f.activeAt(s)) return f;
        }
        return null;
    }

    /** The job on host h at second s, with the phase it is in; null when the host idles. */
    private Job jobOn(int h, int s) {
        for (Job j : w.jobs()) {
            if (h < j.firstHost() || h >= j.firstHost() + j.hostCount() || s < j.startS()) continue;
            if (j.shape() == Shape.ELASTIC && h == j.firstHost() + j.hostCount() - 1 && away(j, s)) return null;
            return j;
        }
        return null;
    }

    /** Whether an elastic job's last host is away: from 40% to 70% of the run. */
    private boolean away(Job j, int s) {
        return s >= lengthSeconds * 0.4 && s < lengthSeconds * 0.7;
    }

    /** The run's length, which places an elastic job's departure and return (default 300 s). */
    public FieldFleet lengthSeconds(int seconds) {
        this.lengthSeconds = seconds;
        return this;
    }

    private enum Phase { WARMUP, TRAIN, CHECKPOINT }

    private static Phase phase(Job j, int s) {
        int t = s - j.startS();
        if (t < j.warmupS()) return Phase.WARMUP;
        if (j.checkpointEveryS() > 0) {
            int since = (t - j.warmupS()) % j.checkpointEveryS();
            if (t - j.warmupS() >= j.checkpointEveryS() && since < j.checkpointS()) return Phase.CHECKPOINT;
        }
        return Phase.TRAIN;
    }

    private boolean slowGroup(Job j, int h) {
        return j.shape() == Shape.BIMODAL && (h - j.firstHost()) % 3 == 2;
    }

    private boolean slowModel(Job j, int h) {
        return j.shape() == Shape.MIXED_MODELS && h - j.firstHost() < Math.max(1, j.hostCount() / 4);
    }

    private GpuSample gpu(int h, int g, int s, long now, double[] heat) {
        Job j = jobOn(h, s);
        boolean a100 = j != null && slowModel(j, h);
        double limit = a100 ? 400 : 700;
        double util, sm, tensor, power, clock, link;
        long reasons = 0;
        if (j == null) {
            util = 0; sm = 0; tensor = 0; power = 69 + random.nextInt(5); clock = 345; link = 0;
            reasons = 0x1;
        } else {
            Phase p = phase(j, s);
            boolean slow = slowGroup(j, h) ^ (switchedWorker == h && s < switchUntil && j.shape() == Shape.BIMODAL);
            switch (p) {
                case WARMUP -> { util = 20 + random.nextInt(30); sm = 6 + random.nextInt(5); tensor = 0;
                    power = 140 + random.nextGaussian() * 8; clock = a100 ? 1410 : 1980; link = 1e8; }
                case CHECKPOINT -> { util = random.nextInt(4); sm = 1 + random.nextInt(3); tensor = 0;
                    power = 115 + random.nextGaussian() * 6; clock = a100 ? 1410 : 1980; link = 0; }
                default -> {
                    util = 100;
                    sm = slow ? 44 + random.nextGaussian() * 3 : 88 + random.nextGaussian() * 2.5;
                    tensor = slow ? 22 + random.nextGaussian() * 2 : 46 + random.nextGaussian() * 2;
                    power = (a100 ? 330 : slow ? 390 : 632) + random.nextGaussian() * 6;
                    clock = a100 ? 1410 : 1980;
                    link = (slow ? 15e9 : 38e9) * (1 + random.nextGaussian() * 0.08);
                    if (jobSlowed(j, s)) { // every rank waits for its input alike
                        sm *= 0.67;
                        tensor *= 0.67;
                        power *= 0.8;
                        link *= 0.67;
                    }
                }
            }
            // A throttled peer holds the synchronous job back: the others wait in the collective.
            if (p == Phase.TRAIN && j.shape() != Shape.BIMODAL) {
                for (Fault f : w.faults()) {
                    if (f.kind() == Fault.Kind.THROTTLED_GPU && f.activeAt(s) && f.host() >= j.firstHost()
                            && f.host() < j.firstHost() + j.hostCount() && !(f.host() == h && f.gpu() == g)) {
                        double m = f.sizeAt(s); // the usual 0.295 makes 0.72 of their activity, 0.85 of their power
                        sm *= 1 - 0.95 * m;
                        tensor *= 1 - 0.95 * m;
                        power *= 1 - 0.508 * m;
                    }
                }
            }
            Fault throttle = fault(Fault.Kind.THROTTLED_GPU, h, g, s);
            if (throttle != null && p == Phase.TRAIN) {
                double m = throttle.sizeAt(s); // the usual 0.295: 1,395 MHz, 0.6 of its power limit
                clock = Math.round(clock * (1 - m));
                sm = Math.min(99, sm * (1 + 0.27 * m));
                power = Math.min(power, (1 - 1.356 * m) * limit);
                reasons |= throttle.reasonOrUsual().bits;
            }
        }
        int i = h * 8 + g;
        double coolant = 30 + heat[cdu(w, h).equals("CDU-A") ? 0 : 1];
        double temp = coolant + 0.05 * power + tempOffset[i];
        Fault plate = fault(Fault.Kind.COLD_PLATE, h, g, s);
        if (plate != null) temp = Math.min(86, temp + plate.sizeAt(s)); // hotter than usual, short of slowdown
        Fault hot = fault(Fault.Kind.OVERHEATING_GPU, h, g, s);
        if (hot != null) {
            temp = Math.min(92, temp + 1.5 * (s - hot.startS() + 1));
            if (temp >= 87) {
                reasons |= 0x20 | 0x40;
                clock = Math.min(clock, 1605);
            }
        }
        energyJ[i] += power;
        GpuSample.Builder b = GpuSample.builder().ts(now + clockOffsetMs[h]).cluster(cluster)
                .row("R").rack(rack(h)).host(host(h)).gpu(g)
                .uuid(String.format("GPU-%08x-f1e1-%04d-%04d", cluster.hashCode(), h, g))
                .model(MODEL[a100 ? 1 : 0]).state(GpuSample.GpuState.OK)
                .gpuUtilPct((double) Math.round(clamp(util))).smActivePct((double) Math.round(clamp(sm)))
                .tensorActivePct((double) Math.round(clamp(tensor)))
                .memUsedMiB(j == null ? 0.0 : 61_000.0).memTotalMiB(a100 ? 40_960.0 : 81_559.0)
                .gpuTempC((double) Math.round(temp)).memTempC((double) Math.round(temp - 4))
                .slowdownTempC(87.0).shutdownTempC(92.0 + 3)
                .powerW((double) Math.round(Math.max(20, power))).powerLimitW(limit).energyJ(Math.floor(energyJ[i]))
                .smClockMHz(clock).memClockMHz(2619.0).clockEventReasons(reasons)
                .eccCorrected(0L).eccUncorrected(0L)
                .nvlinkTxBps(link / 2).nvlinkRxBps(link / 2).pcieTxBps(2e8).pcieRxBps(2e8)
                .origin(new Origin("field-" + host(h), 0, ++seq));
        if (j != null) b.jobId(j.id()).rank(rank(j, h, g));
        if (omits[h] == 1) {
            b.smActivePct(null).tensorActivePct(null).slowdownTempC(null).shutdownTempC(null).clockEventReasons(null);
            if ((hot != null || fault(Fault.Kind.THROTTLED_GPU, h, g, s) != null) && reasons != 0) {
                // This collector does carry the reasons when they are set (nvidia-smi's clocks_event_reasons).
                b.clockEventReasons(reasons);
            }
        } else if (omits[h] == 2) {
            b.nvlinkTxBps(null).nvlinkRxBps(null);
        }
        return b.build();
    }

    /** Step events of a host's ranks ending in second s, stamped by the host's clock. */
    private void steps(int h, int s, long now, long arrival, List<Delivery> out) {
        Job j = jobOn(h, s);
        if (j == null || !j.stepEvents() || phase(j, s) != Phase.TRAIN) return;
        boolean slow = slowGroup(j, h) ^ (switchedWorker == h && s < switchUntil && j.shape() == Shape.BIMODAL);
        for (int g = 0; g < 8; g++) {
            int rank = rank(j, h, g);
            String key = j.id() + "/" + rank;
            double cost = j.stepMs() * (slow ? 3 : 1) * (slowModel(j, h) ? 1.4 : 1);
            Fault slowWorker = fault(Fault.Kind.SLOW_WORKER, h, g, s);
            if (slowWorker != null) cost *= 1 + slowWorker.sizeAt(s);
            Fault throttled = fault(Fault.Kind.THROTTLED_GPU, h, g, s);
            if (throttled != null) cost *= throttled.magnitude() > 0 ? 1 / (1 - throttled.sizeAt(s)) : 1.4;
            if (jobSlowed(j, s)) cost *= 1.5;
            double carried = stepCarry.getOrDefault(key, 0.0) + 1000;
            while (true) {
                double c = cost * Math.exp(random.nextGaussian() * 0.05);
                if (carried < c) break;
                carried -= c;
                long end = now + 1000 - Math.round(carried) + clockOffsetMs[h];
                long n = stepNo.merge(key, 1L, Long::sum);
                out.add(new Delivery(new StepEvent(cluster, j.id(), rank, n, end - Math.round(c), end, c, null,
                        host(h), g, new Origin("field-steps-" + host(h), 0, ++seq)), arrival));
            }
            stepCarry.put(key, carried);
        }
    }

    private void jobEvents(int s, long now, List<Delivery> out) {
        for (int k = 0; k < w.jobs().size(); k++) {
            Job j = w.jobs().get(k);
            List<JobEvent.RankAllocation> ranks = new ArrayList<>();
            for (int h = j.firstHost(); h < j.firstHost() + j.hostCount(); h++) {
                if (jobOn(h, s) != j) continue;
                for (int g = 0; g < 8; g++) ranks.add(new JobEvent.RankAllocation(rank(j, h, g), host(h), g, null));
            }
            boolean runs = s >= j.startS();
            if (runs && !jobRunning[k]) {
                out.add(new Delivery(new JobEvent(now, cluster, j.id(), JobEvent.Kind.START, j.id(), "team-field",
                        ranks, new Origin("field-scheduler", 0, ++seq)), now));
            } else if (runs && j.shape() == Shape.ELASTIC && s > j.startS()
                    && (jobOn(j.firstHost() + j.hostCount() - 1, s) == null)
                    != (jobOn(j.firstHost() + j.hostCount() - 1, s - 1) == null)) {
                out.add(new Delivery(new JobEvent(now, cluster, j.id(), JobEvent.Kind.RESIZE, j.id(), "team-field",
                        ranks, new Origin("field-scheduler", 0, ++seq)), now));
            }
            jobRunning[k] = runs;
        }
    }

    /** How much warmer each CDU's loop runs now (°C): flow loss warms its coolant. */
    private double[] cduHeat(int s) {
        double[] heat = new double[2];
        for (Fault f : w.faults()) {
            if (f.kind() == Fault.Kind.CDU_FLOW_LOSS && f.activeAt(s)) {
                double share = f.sizeAt(s) / Fault.Kind.CDU_FLOW_LOSS.usual; // the usual 60% loss warms 9 °C
                heat["CDU-A".equals(f.device()) ? 0 : 1] = Math.min(9 * share, 0.08 * share * (s - f.startS() + 1));
            }
        }
        return heat;
    }

    private void facility(int s, long now, double[] heat, List<Delivery> out) {
        for (int c = 0; c < 2; c++) {
            String name = c == 0 ? "CDU-A" : "CDU-B";
            List<String> racks = new ArrayList<>();
            for (int h = 0; h < w.hosts(); h += 4) if (cdu(w, h).equals(name) && !racks.contains(rack(h))) racks.add(rack(h));
            if (racks.isEmpty()) continue;
            double lost = 0;
            for (Fault f : w.faults()) {
                if (f.kind() == Fault.Kind.CDU_FLOW_LOSS && name.equals(f.device()) && f.activeAt(s)) lost = f.sizeAt(s);
            }
            double flow = (1 - lost) * 600 * (1 + random.nextGaussian() * 0.015);
            double supply = 30 + heat[c] + random.nextGaussian() * 0.15;
            // The CDU's controller reports once every 2 s, with its own clock half a second off.
            if (s % 2 == 0) {
                out.add(new Delivery(new CoolingSample(now - 500, cluster, "R", null, CoolingSample.Source.CDU, name,
                        round1(supply), round1(supply + 8 + random.nextGaussian() * 0.2), round1(flow),
                        round1(140 * flow / 600 + random.nextGaussian()), false, null, null, null, racks,
                        new Origin("field-" + name, 0, ++seq)), now + 400));
            }
        }
        for (int h = 0; h < w.hosts(); h += 4) {
            double load = 2500;
            for (int x = h; x < Math.min(w.hosts(), h + 4); x++) {
                Job j = jobOn(x, s);
                load += 1200 + (j == null ? 8 * 72 : 8 * (phase(j, s) == Phase.TRAIN ? 600 : 130));
            }
            out.add(new Delivery(new PowerSample(now, cluster, "R", rack(h), null, PowerSample.Source.RACK_PDU,
                    rack(h) + "-pdu", (double) Math.round(load * (1 + random.nextGaussian() * 0.01)), 60_000.0, null,
                    new Origin("field-" + rack(h) + "-pdu", 0, ++seq)), now + 300));
        }
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(100, v));
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
