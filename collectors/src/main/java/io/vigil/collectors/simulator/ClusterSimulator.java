package io.vigil.collectors.simulator;

import io.vigil.collectors.OriginStamper;
import io.vigil.model.ClockEventReason;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.PowerSample;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A synthetic GPU data center that produces the telemetry a real one would, one step at a time.
 *
 * <p>Physics, deliberately simple but consistent: power follows activity and clock; GPU temperature approaches
 * coolant supply temperature plus power times the cold plate's thermal resistance with a first-order lag; above
 * the slowdown threshold the GPU lowers its clock (and so its power) to hold temperature, setting the thermal
 * clock-event reasons. Training ranks alternate compute and communication within a step (averaged over a 1 s
 * sample), pause for checkpoints, and ranks waiting in a collective show ~100% utilisation at near-idle power.
 *
 * <p>Not thread-safe except for {@link #inject} and {@link #clear}, which may be called from any thread.
 */
public final class ClusterSimulator {

    static final double SLOWDOWN_C = 89, SHUTDOWN_C = 92;
    static final double POWER_LIMIT_W = 700, IDLE_W = 70, MAX_SM_MHZ = 1980, IDLE_SM_MHZ = 345, MEM_MHZ = 2619;
    static final double MEM_TOTAL_MIB = 81559;
    /** Cold-plate thermal resistance, °C per W: about 70 °C at full power on 30 °C coolant. */
    static final double THERMAL_RESISTANCE = 0.057;
    static final double THERMAL_TAU_S = 20;
    static final double COOLANT_SUPPLY_C = 30, COOLANT_FLOW_LPM = 420, AIR_INLET_C = 23;
    static final double HOST_OVERHEAD_W = 1400, PDU_CAPACITY_W = 60_000;

    private final SimulatorConfig config;
    private final ClusterTopology topology;
    private final FaultScript script;
    private final OriginStamper stamper;
    private final long startMs;
    private final Random random;
    private final List<GpuState> gpus = new ArrayList<>();
    private final Map<String, JobPlacement> placement = new HashMap<>();
    private final Map<String, Double> cduExtraSupplyC = new HashMap<>();
    private final Set<Fault> manual = ConcurrentHashMap.newKeySet();
    private long step;
    private boolean stepEvents;
    private final Map<String, Long> jobSteps = new HashMap<>();

    public ClusterSimulator(SimulatorConfig config, FaultScript script, OriginStamper stamper, long startMs) {
        this.config = config;
        this.topology = ClusterTopology.build(config);
        this.script = script;
        this.stamper = stamper;
        this.startMs = startMs;
        this.random = new Random(config.seed());
        for (ClusterTopology.Job job : topology.jobs()) {
            for (int i = 0; i < job.hosts().size(); i++) {
                for (int g = 0; g < job.gpusPerHost(); g++) {
                    placement.put(job.hosts().get(i) + "/" + g, new JobPlacement(job, i * job.gpusPerHost() + g));
                }
            }
        }
        for (ClusterTopology.Host h : topology.hosts()) {
            for (int g = 0; g < h.gpus(); g++) {
                GpuState s = new GpuState(h, g, uuid(config.cluster(), h.name(), g), placement.get(h.name() + "/" + g));
                s.offsetC = random.nextGaussian() * 1.5;
                s.tempC = COOLANT_SUPPLY_C + IDLE_W * THERMAL_RESISTANCE + s.offsetC;
                gpus.add(s);
            }
        }
        for (ClusterTopology.Cdu cdu : topology.cdus()) {
            cduExtraSupplyC.put(cdu.name(), 0.0);
        }
    }

    public ClusterTopology topology() {
        return topology;
    }

    public FaultScript script() {
        return script;
    }

    /** Also emit each training rank's step events ({@link StepEvent}), one per rank per interval. */
    public ClusterSimulator withStepEvents(boolean on) {
        this.stepEvents = on;
        return this;
    }

    /** Starts a fault now, until {@link #clear} (in addition to the script's). */
    public void inject(Fault fault) {
        manual.add(fault);
    }

    public void clear(Fault fault) {
        manual.remove(fault);
    }

    /** Event time of the next step. */
    public long nextTimestampMs() {
        return startMs + step * config.interval().toMillis();
    }

    /** The job START events that describe the initial allocation; publish them before the first step. */
    public List<JobEvent> jobStarts() {
        List<JobEvent> events = new ArrayList<>();
        for (ClusterTopology.Job job : topology.jobs()) {
            List<JobEvent.RankAllocation> ranks = new ArrayList<>();
            for (int r = 0; r < job.worldSize(); r++) {
                String host = job.hosts().get(r / job.gpusPerHost());
                int g = r % job.gpusPerHost();
                ranks.add(new JobEvent.RankAllocation(r, host, g, uuid(config.cluster(), host, g)));
            }
            events.add(new JobEvent(startMs, config.cluster(), job.jobId(), JobEvent.Kind.START, "pretrain-" + job.jobId(),
                    "team-" + (char) ('a' + events.size() % 3), ranks, stamper.next()));
        }
        return events;
    }

    /** The faults active at the current step: the script's plus the injected ones. */
    public List<Fault> activeFaults() {
        Duration elapsed = config.interval().multipliedBy(step);
        List<Fault> active = new ArrayList<>(manual);
        for (ScheduledFault f : script.faults()) {
            if (f.activeAt(elapsed)) {
                active.add(f.fault());
            }
        }
        return active;
    }

    /** Advances one interval and returns every sample of that instant: GPUs, host PSUs, PDUs, CDUs, rack air. */
    public List<TelemetryRecord> step() {
        long ts = nextTimestampMs();
        double dt = config.interval().toMillis() / 1000.0;
        long elapsedS = (ts - startMs) / 1000;
        List<Fault> faults = activeFaults();
        Map<String, Integer> stragglers = new HashMap<>();
        Set<String> stalled = new java.util.HashSet<>();
        Set<String> runaway = new java.util.HashSet<>();
        Set<String> flowLoss = new java.util.HashSet<>();
        FaultSet fs = new FaultSet();
        for (Fault f : faults) {
            if (f instanceof Fault.Straggler s) stragglers.put(s.jobId(), s.rank());
            else if (f instanceof Fault.SyncStall s) stalled.add(s.jobId());
            else if (f instanceof Fault.GpuThermalRunaway t) runaway.add(t.host() + "/" + t.gpu());
            else if (f instanceof Fault.CduFlowLoss c) flowLoss.add(c.cdu());
            else if (f instanceof Fault.HostStraggler h) fs.slowHosts.add(h.host());
            else if (f instanceof Fault.JobSlowdown j) fs.slowJobs.add(j.jobId());
            else if (f instanceof Fault.CheckpointPause c) fs.pausedJobs.add(c.jobId());
            else if (f instanceof Fault.JobNotRunning j) fs.notRunning.add(j.jobId());
            else if (f instanceof Fault.GpuSilent g) fs.silentGpus.add(g.host() + "/" + g.gpu());
            else if (f instanceof Fault.HostSilent h) fs.silentHosts.add(h.host());
            else if (f instanceof Fault.GpuLost g) fs.lostGpus.add(g.host() + "/" + g.gpu());
            else if (f instanceof Fault.Xid x) fs.xids.put(x.host() + "/" + x.gpu(), x.code());
            else if (f instanceof Fault.RackInletHot r) fs.hotInlets.put(r.rack(), r.tempC());
            else if (f instanceof Fault.PduOverload p) fs.pduExtra.put(p.rack(), p.extraW());
            else if (f instanceof Fault.CduLeak c) fs.leaks.add(c.cdu());
        }
        // Jobs with a host straggling: that host's ranks lag, everyone else waits for them.
        for (GpuState g : gpus) {
            if (g.placement != null && fs.slowHosts.contains(g.host.name())) fs.jobsWithSlowHost.add(g.placement.job().jobId());
        }

        List<TelemetryRecord> out = new ArrayList<>(gpus.size() + topology.hosts().size() * 2);
        Map<String, Double> rackSupplyC = new HashMap<>();
        Map<String, Double> cduFlow = new HashMap<>();
        for (ClusterTopology.Cdu cdu : topology.cdus()) {
            boolean loss = flowLoss.contains(cdu.name());
            double extra = cduExtraSupplyC.get(cdu.name());
            // Supply temperature climbs about 0.2 °C/s while flow is lost, and recovers a little faster after.
            extra = loss ? Math.min(24, extra + 0.2 * dt) : Math.max(0, extra - 0.3 * dt);
            cduExtraSupplyC.put(cdu.name(), extra);
            cduFlow.put(cdu.name(), loss ? COOLANT_FLOW_LPM * 0.2 : COOLANT_FLOW_LPM);
            for (String rack : cdu.racks()) {
                rackSupplyC.put(rack, COOLANT_SUPPLY_C + extra);
            }
        }

        Map<String, Double> hostPower = new HashMap<>();
        for (GpuState g : gpus) {
            Activity a = activity(g, elapsedS, stragglers, stalled, fs);
            double supply = rackSupplyC.getOrDefault(g.host.rack(), COOLANT_SUPPLY_C);
            String id = g.host.name() + "/" + g.index;
            boolean running = g.placement != null && !fs.notRunning.contains(g.placement.job().jobId());
            GpuSample sample = g.advance(a, supply, runaway.contains(id), dt, ts,
                    g.placement != null && fs.slowJobs.contains(g.placement.job().jobId()) ? 0.8 : 1.0, running);
            hostPower.merge(g.host.name(), sample.powerW(), Double::sum);
            if (fs.lostGpus.contains(id)) {
                sample = GpuSample.builder().ts(ts).cluster(sample.cluster()).row(sample.row()).rack(sample.rack())
                        .host(sample.host()).gpu(sample.gpu()).uuid(sample.uuid()).model(sample.model())
                        .state(GpuSample.GpuState.LOST).lastXid(79).origin(sample.origin()).build();
            } else if (fs.xids.containsKey(id)) {
                sample = sample.toBuilder().lastXid(fs.xids.get(id)).build();
            }
            if (!fs.silentGpus.contains(id) && !fs.silentHosts.contains(g.host.name())) {
                out.add(sample);
            }
            if (stepEvents && running && sample.state() == GpuSample.GpuState.OK) {
                StepEvent e = stepEvent(g, a, sample, ts);
                if (e != null) out.add(e);
            }
        }

        Map<String, Double> rackPower = new HashMap<>();
        for (ClusterTopology.Host h : topology.hosts()) {
            double p = hostPower.getOrDefault(h.name(), 0.0) + HOST_OVERHEAD_W + noise(30);
            rackPower.merge(h.rack(), p, Double::sum);
            if (fs.silentHosts.contains(h.name())) continue;
            out.add(new PowerSample(ts, config.cluster(), h.row(), h.rack(), h.name(), PowerSample.Source.HOST_PSU,
                    h.name() + "-psu", round1(p), null, null, stamper.next()));
        }
        for (ClusterTopology.Rack r : topology.racks()) {
            double p = rackPower.getOrDefault(r.name(), 0.0) + fs.pduExtra.getOrDefault(r.name(), 0.0);
            double perPhaseA = p / 3 / 230.0;
            out.add(new PowerSample(ts, config.cluster(), r.row(), r.name(), null, PowerSample.Source.RACK_PDU,
                    r.name() + "-pdu", round1(p), PDU_CAPACITY_W,
                    List.of(round1(perPhaseA + noise(0.3)), round1(perPhaseA + noise(0.3)), round1(perPhaseA + noise(0.3))),
                    stamper.next()));
            double inlet = fs.hotInlets.getOrDefault(r.name(), AIR_INLET_C) + noise(0.2);
            // Liquid cooling takes most heat; air carries the rest (about 20%) across the rack.
            double outlet = inlet + 0.2 * p / 1000.0 * 0.9;
            out.add(new CoolingSample(ts, config.cluster(), r.row(), r.name(), CoolingSample.Source.RACK_AIR,
                    r.name() + "-air", null, null, null, null, null, round1(inlet), round1(outlet),
                    List.of(round1(9000 + p / 10 + noise(50)), round1(9000 + p / 10 + noise(50))), null, stamper.next()));
        }
        for (ClusterTopology.Cdu cdu : topology.cdus()) {
            double heatW = cdu.racks().stream().mapToDouble(r -> rackPower.getOrDefault(r, 0.0)).sum() * 0.8;
            double flow = cduFlow.get(cdu.name());
            double supply = COOLANT_SUPPLY_C + cduExtraSupplyC.get(cdu.name());
            // Water: 4186 J/(kg K), ~1 kg/L; flow in L/min.
            double ret = supply + heatW / (4186 * flow / 60.0);
            ClusterTopology.Rack first = topology.racks().stream()
                    .filter(r -> r.name().equals(cdu.racks().get(0))).findFirst().orElseThrow();
            out.add(new CoolingSample(ts, config.cluster(), first.row(), null, CoolingSample.Source.CDU, cdu.name(),
                    round1(supply + noise(0.05)), round1(ret + noise(0.05)), round1(flow + noise(2)),
                    round1(flow / COOLANT_FLOW_LPM * 120 + noise(1)), fs.leaks.contains(cdu.name()), null, null, null,
                    cdu.racks(),
                    stamper.next()));
        }
        step++;
        return out;
    }

    /** The faults of one step, by kind. */
    private static final class FaultSet {
        final Set<String> slowHosts = new java.util.HashSet<>(), jobsWithSlowHost = new java.util.HashSet<>(),
                slowJobs = new java.util.HashSet<>(), pausedJobs = new java.util.HashSet<>(),
                notRunning = new java.util.HashSet<>(), silentGpus = new java.util.HashSet<>(),
                silentHosts = new java.util.HashSet<>(), lostGpus = new java.util.HashSet<>(),
                leaks = new java.util.HashSet<>();
        final Map<String, Integer> xids = new HashMap<>();
        final Map<String, Double> hotInlets = new HashMap<>(), pduExtra = new HashMap<>();
    }

    private StepEvent stepEvent(GpuState g, Activity a, GpuSample sample, long ts) {
        if (a != Activity.TRAINING && a != Activity.STRAGGLING && a != Activity.WAITING_FOR_STRAGGLER
                && a != Activity.SLOW_HOST) {
            return null;
        }
        // About 600 ms of compute per step at full clock; a straggler's compute stretches with its clock, a slow
        // host waits for input; the others' wall-clock step is the slowest rank's, the difference spent waiting.
        double clock = sample.smClockMHz() == null ? MAX_SM_MHZ : sample.smClockMHz();
        double compute = 600 * MAX_SM_MHZ / Math.max(clock, 1) * (a == Activity.SLOW_HOST ? 1.6 : 1.0)
                * (1 + noise(0.02));
        double step = a == Activity.TRAINING ? compute + 200 : 600 * 1.45 + 200;
        String key = g.placement.job().jobId() + "/" + g.placement.rank();
        long n = jobSteps.merge(key, 1L, Long::sum);
        long end = ts;
        return new StepEvent(config.cluster(), g.placement.job().jobId(), g.placement.rank(), n,
                end - Math.round(Math.max(step, compute)), end, Math.round(compute * 10) / 10.0,
                Math.round(Math.max(0, step - compute) * 10) / 10.0, g.host.name(), g.index, stamper.next());
    }

    private Activity activity(GpuState g, long elapsedS, Map<String, Integer> stragglers, Set<String> stalled,
                              FaultSet fs) {
        if (g.placement == null) {
            return Activity.IDLE;
        }
        ClusterTopology.Job job = g.placement.job();
        if (fs.notRunning.contains(job.jobId())) {
            return Activity.IDLE;
        }
        if (stalled.contains(job.jobId())) {
            return g.placement.rank() == 0 ? Activity.HUNG : Activity.STALLED;
        }
        long t = elapsedS + job.phaseOffsetSec();
        if (t % job.checkpointEverySec() < job.checkpointSec() || fs.pausedJobs.contains(job.jobId())) {
            return Activity.CHECKPOINT;
        }
        if (fs.jobsWithSlowHost.contains(job.jobId())) {
            return fs.slowHosts.contains(g.host.name()) ? Activity.SLOW_HOST : Activity.WAITING_FOR_STRAGGLER;
        }
        Integer slowRank = stragglers.get(job.jobId());
        if (slowRank != null) {
            return slowRank == g.placement.rank() ? Activity.STRAGGLING : Activity.WAITING_FOR_STRAGGLER;
        }
        return Activity.TRAINING;
    }

    private double noise(double sigma) {
        return random.nextGaussian() * sigma;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static String uuid(String cluster, String host, int gpu) {
        return "GPU-" + UUID.nameUUIDFromBytes((cluster + "/" + host + "/" + gpu).getBytes(StandardCharsets.UTF_8));
    }

    /** What a GPU is doing during one sample interval. */
    enum Activity {
        // util%, smActive%, tensor%, power fraction of limit, nvlink GB/s
        IDLE(0, 0, 0, 0.0, 0),
        TRAINING(99, 78, 52, 0.91, 110),
        CHECKPOINT(4, 2, 0, 0.07, 2),
        STRAGGLING(99, 80, 54, 0.91, 110),
        WAITING_FOR_STRAGGLER(99, 58, 38, 0.68, 80),
        SLOW_HOST(72, 38, 24, 0.48, 40),
        STALLED(100, 1, 0, 0.07, 0.01),
        HUNG(0, 0, 0, 0.02, 0);

        final double util, smActive, tensor, powerFraction, nvlinkGBps;

        Activity(double util, double smActive, double tensor, double powerFraction, double nvlinkGBps) {
            this.util = util;
            this.smActive = smActive;
            this.tensor = tensor;
            this.powerFraction = powerFraction;
            this.nvlinkGBps = nvlinkGBps;
        }
    }

    record JobPlacement(ClusterTopology.Job job, int rank) {}

    private final class GpuState {
        final ClusterTopology.Host host;
        final int index;
        final String uuid;
        final JobPlacement placement;
        double offsetC;
        double tempC;
        double energyJ = 1.0e9 * (1 + random.nextDouble());
        double thermalClockFactor = 1.0;
        long eccCorrected = random.nextInt(3);

        GpuState(ClusterTopology.Host host, int index, String uuid, JobPlacement placement) {
            this.host = host;
            this.index = index;
            this.uuid = uuid;
            this.placement = placement;
        }

        GpuSample advance(Activity a, double supplyC, boolean runaway, double dt, long ts, double jobClockFactor,
                          boolean running) {
            long reasons = 0;
            double clockFactor = jobClockFactor;
            if (jobClockFactor < 1.0) {
                reasons |= ClockEventReason.SW_POWER_CAP.bit();
            }
            if (a == Activity.STRAGGLING) {
                clockFactor = 0.71;
                reasons |= ClockEventReason.HW_SLOWDOWN.bit();
            }
            // The driver's thermal control: lower the clock while hot, release it slowly once cooler.
            if (tempC >= SLOWDOWN_C - 2) {
                thermalClockFactor = Math.max(0.5, thermalClockFactor - 0.06 * dt);
            } else if (tempC < SLOWDOWN_C - 5) {
                thermalClockFactor = Math.min(1.0, thermalClockFactor + 0.03 * dt);
            }
            if (thermalClockFactor < 1.0) {
                reasons |= ClockEventReason.SW_THERMAL_SLOWDOWN.bit();
                clockFactor = Math.min(clockFactor, thermalClockFactor);
            }
            if (tempC >= SLOWDOWN_C) {
                reasons |= ClockEventReason.HW_THERMAL_SLOWDOWN.bit();
            }
            boolean idle = a == Activity.IDLE || a == Activity.HUNG || a == Activity.CHECKPOINT;
            if (idle) {
                reasons |= ClockEventReason.GPU_IDLE.bit();
            }
            double smClock = idle ? IDLE_SM_MHZ : MAX_SM_MHZ * clockFactor;
            double dynamicW = (POWER_LIMIT_W - IDLE_W) * a.powerFraction * (idle ? 1 : clockFactor);
            double power = Math.max(20, IDLE_W + dynamicW + noise(idle ? 1.5 : 8));
            double resistance = THERMAL_RESISTANCE * (runaway ? 2.0 : 1.0);
            double target = supplyC + power * resistance + offsetC;
            tempC += (target - tempC) * (1 - Math.exp(-dt / THERMAL_TAU_S));
            energyJ += power * dt;
            double util = clamp(a.util + (a.util > 0 && a.util < 100 ? noise(0.5) : 0));
            double sm = clamp(a.smActive + (a.smActive > 5 ? noise(1.5) : 0));
            double tensor = clamp(a.tensor + (a.tensor > 5 ? noise(1.5) : 0));
            double nvlink = Math.max(0, a.nvlinkGBps * 1e9 * clockFactor + (a.nvlinkGBps > 1 ? noise(2e9) : 0));
            return GpuSample.builder()
                    .ts(ts).cluster(config.cluster()).row(host.row()).rack(host.rack()).host(host.name()).gpu(index)
                    .uuid(uuid).model("NVIDIA H100 80GB HBM3")
                    .jobId(!running ? null : placement.job().jobId())
                    .rank(!running ? null : placement.rank())
                    .state(GpuSample.GpuState.OK)
                    .gpuUtilPct(round1(util)).smActivePct(round1(sm)).tensorActivePct(round1(tensor))
                    .memUsedMiB(!running ? 4.0 : 71_000.0).memTotalMiB(MEM_TOTAL_MIB)
                    .gpuTempC(round1(tempC)).memTempC(round1(tempC + 7)).slowdownTempC(SLOWDOWN_C)
                    .shutdownTempC(SHUTDOWN_C)
                    .powerW(round1(power)).powerLimitW(POWER_LIMIT_W).energyJ(Math.floor(energyJ))
                    .smClockMHz((double) Math.round(smClock)).memClockMHz(MEM_MHZ)
                    .clockEventReasons(reasons).eccCorrected(eccCorrected).eccUncorrected(0L)
                    .nvlinkTxBps(Math.floor(nvlink)).nvlinkRxBps(Math.floor(nvlink))
                    .pcieTxBps(Math.floor(nvlink / 40)).pcieRxBps(Math.floor(nvlink / 40))
                    .origin(stamper.next())
                    .build();
        }

        private double clamp(double v) {
            return Math.max(0, Math.min(100, v));
        }
    }
}
