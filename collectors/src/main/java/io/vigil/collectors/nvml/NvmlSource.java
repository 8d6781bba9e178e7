package io.vigil.collectors.nvml;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.TelemetryRecord;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The GPUs of this host through NVML: one {@link GpuSample} per GPU per scrape, with the job and rank of the
 * processes running on it ({@link ProcessAttribution}), and a {@link JobEvent} whenever the set of jobs and ranks
 * on this host changes (START when a job appears here, RESIZE when its ranks here change, END when it leaves; the
 * ranks listed are this host's).
 *
 * <p>A field the device does not support ({@code NOT_SUPPORTED}) is left absent; a device that fell off the bus
 * ({@code GPU_IS_LOST}) is reported with {@code state = LOST} and nothing else; other errors leave the field absent
 * and count in {@link #fieldErrors()}.
 */
public final class NvmlSource implements Source, AutoCloseable {

    /** Where this host stands. */
    public record Placement(String cluster, String row, String rack, String host) {}

    /** NVML cannot be used on this machine; the message says why, for a single clear log line. */
    public static final class NvmlUnavailable extends Exception {
        NvmlUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final NvmlLibrary nvml;
    private final Placement placement;
    private final OriginStamper origin;
    private final InstantSource clock;
    private final ProcessAttribution attribution;
    private final AtomicLong fieldErrors = new AtomicLong();
    /** XID events (critical errors) through an event set, drained at every scrape; null if unsupported. */
    private Pointer eventSet;
    private final Map<Pointer, Integer> lastXid = new HashMap<>();
    private final Set<Pointer> registered = new HashSet<>();
    /** The last NVLink counter readings per device, to turn cumulative KiB into bytes per second. */
    private final Map<Pointer, long[]> nvlinkLast = new HashMap<>();
    private Map<String, Map<Integer, Integer>> jobsHere = new TreeMap<>();
    /** Each job's owners as its processes' environment gives them (for routing its incidents). */
    private final Map<String, ProcessAttribution.Attribution> owners = new java.util.HashMap<>();

    private NvmlSource(NvmlLibrary nvml, Placement placement, OriginStamper origin, InstantSource clock,
                       ProcessAttribution attribution) {
        this.nvml = nvml;
        this.placement = placement;
        this.origin = origin;
        this.clock = clock;
        this.attribution = attribution;
    }

    /** Loads {@code library} (null: the driver's {@code libnvidia-ml.so.1}) and initialises NVML. */
    public static NvmlSource open(String library, Placement placement, OriginStamper origin, InstantSource clock,
                                  ProcessAttribution attribution) throws NvmlUnavailable {
        String name = library == null ? "libnvidia-ml.so.1" : library;
        NvmlLibrary nvml;
        try {
            nvml = Native.load(name, NvmlLibrary.class);
        } catch (UnsatisfiedLinkError e) {
            throw new NvmlUnavailable("NVML library " + name + " could not be loaded — is the NVIDIA driver installed"
                    + " on this host? (set nvml.library to its path) [" + firstLine(e.getMessage()) + "]", e);
        }
        int rc = nvml.nvmlInit_v2();
        if (rc != NvmlLibrary.SUCCESS) {
            throw new NvmlUnavailable("NVML did not initialise: " + nvml.nvmlErrorString(rc) + " (code " + rc + ")", null);
        }
        NvmlSource source = new NvmlSource(nvml, placement, origin, clock, attribution);
        PointerByReference set = new PointerByReference();
        if (nvml.nvmlEventSetCreate(set) == NvmlLibrary.SUCCESS) {
            source.eventSet = set.getValue();
        }
        return source;
    }

    @Override
    public String name() {
        return "nvml " + placement.host();
    }

    public long fieldErrors() {
        return fieldErrors.get();
    }

    @Override
    public synchronized List<TelemetryRecord> scrape() throws ScrapeException {
        long ts = clock.millis();
        IntByReference count = new IntByReference();
        int rc = nvml.nvmlDeviceGetCount_v2(count);
        if (rc != NvmlLibrary.SUCCESS) {
            throw new ScrapeException(name() + ": nvmlDeviceGetCount failed: " + nvml.nvmlErrorString(rc), null);
        }
        List<TelemetryRecord> out = new ArrayList<>(count.getValue() + 1);
        Map<String, Map<Integer, Integer>> jobs = new TreeMap<>();
        Set<Integer> pids = new HashSet<>();
        List<Pointer> handles = new ArrayList<>();
        for (int i = 0; i < count.getValue(); i++) {
            PointerByReference ref = new PointerByReference();
            if (nvml.nvmlDeviceGetHandleByIndex_v2(i, ref) != NvmlLibrary.SUCCESS) {
                fieldErrors.incrementAndGet();
                handles.add(null);
                continue;
            }
            handles.add(ref.getValue());
        }
        drainXidEvents(handles);
        for (int i = 0; i < handles.size(); i++) {
            if (handles.get(i) != null) {
                GpuSample whole = device(i, handles.get(i), ts, jobs, pids);
                out.add(whole);
                if (whole.state() == GpuSample.GpuState.OK) {
                    migInstances(i, handles.get(i), whole, ts, jobs, pids, out);
                }
            }
        }
        attribution.retain(pids);
        out.addAll(jobChanges(jobs, ts));
        return out;
    }

    private GpuSample device(int index, Pointer d, long ts, Map<String, Map<Integer, Integer>> jobs, Set<Integer> pids) {
        GpuSample.Builder b = GpuSample.builder().source(GpuSample.Source.NVML).ts(ts).cluster(placement.cluster()).row(placement.row())
                .rack(placement.rack()).host(placement.host()).gpu(index).origin(origin.next());
        byte[] buf = new byte[96];
        int rc = nvml.nvmlDeviceGetUUID(d, buf, buf.length);
        if (rc == NvmlLibrary.ERROR_GPU_IS_LOST) {
            return b.state(GpuSample.GpuState.LOST).build();
        }
        b.state(GpuSample.GpuState.OK);
        if (ok(rc)) b.uuid(cString(buf));
        byte[] name = new byte[96];
        if (ok(nvml.nvmlDeviceGetName(d, name, name.length))) b.model(cString(name));

        IntByReference i = new IntByReference();
        LongByReference l = new LongByReference();
        if (ok(nvml.nvmlDeviceGetTemperature(d, NvmlLibrary.TEMPERATURE_GPU, i))) b.gpuTempC((double) i.getValue());
        if (ok(nvml.nvmlDeviceGetTemperatureThreshold(d, NvmlLibrary.THRESHOLD_SLOWDOWN, i))) b.slowdownTempC((double) i.getValue());
        if (ok(nvml.nvmlDeviceGetTemperatureThreshold(d, NvmlLibrary.THRESHOLD_SHUTDOWN, i))) b.shutdownTempC((double) i.getValue());
        if (ok(nvml.nvmlDeviceGetPowerUsage(d, i))) b.powerW(i.getValue() / 1000.0);
        if (ok(nvml.nvmlDeviceGetEnforcedPowerLimit(d, i))) b.powerLimitW(i.getValue() / 1000.0);
        if (ok(nvml.nvmlDeviceGetTotalEnergyConsumption(d, l))) b.energyJ(l.getValue() / 1000.0);
        if (ok(nvml.nvmlDeviceGetClockInfo(d, NvmlLibrary.CLOCK_SM, i))) b.smClockMHz((double) i.getValue());
        if (ok(nvml.nvmlDeviceGetClockInfo(d, NvmlLibrary.CLOCK_MEM, i))) b.memClockMHz((double) i.getValue());
        if (ok(nvml.nvmlDeviceGetCurrentClocksEventReasons(d, l))) b.clockEventReasons(l.getValue());
        if (ok(nvml.nvmlDeviceGetTotalEccErrors(d, NvmlLibrary.ECC_CORRECTED, NvmlLibrary.VOLATILE_ECC, l))) b.eccCorrected(l.getValue());
        if (ok(nvml.nvmlDeviceGetTotalEccErrors(d, NvmlLibrary.ECC_UNCORRECTED, NvmlLibrary.VOLATILE_ECC, l))) b.eccUncorrected(l.getValue());
        if (ok(nvml.nvmlDeviceGetPcieThroughput(d, NvmlLibrary.PCIE_TX_BYTES, i))) b.pcieTxBps(i.getValue() * 1024.0);
        if (ok(nvml.nvmlDeviceGetPcieThroughput(d, NvmlLibrary.PCIE_RX_BYTES, i))) b.pcieRxBps(i.getValue() * 1024.0);
        nvlink(d, b);
        Integer xid = lastXid.get(d);
        if (xid != null) b.lastXid(xid);
        NvmlLibrary.Utilization u = new NvmlLibrary.Utilization();
        if (ok(nvml.nvmlDeviceGetUtilizationRates(d, u))) b.gpuUtilPct((double) u.gpu);
        memoryAndJob(d, index, b, jobs, pids);
        return b.build();
    }

    /**
     * NVLink data throughput over all links, from NVML's cumulative KiB counters: the rate since the previous
     * scrape, so the first scrape (and one after a counter reset) has none.
     */
    private void nvlink(Pointer d, GpuSample.Builder b) {
        NvmlLibrary.FieldValue[] values = (NvmlLibrary.FieldValue[]) new NvmlLibrary.FieldValue().toArray(2);
        values[0].fieldId = NvmlLibrary.FI_DEV_NVLINK_THROUGHPUT_DATA_TX;
        values[1].fieldId = NvmlLibrary.FI_DEV_NVLINK_THROUGHPUT_DATA_RX;
        for (NvmlLibrary.FieldValue v : values) {
            v.scopeId = NvmlLibrary.SCOPE_ALL_LINKS;
            v.write();
        }
        if (!ok(nvml.nvmlDeviceGetFieldValues(d, 2, values))) return;
        for (NvmlLibrary.FieldValue v : values) v.read();
        if (values[0].nvmlReturn != NvmlLibrary.SUCCESS || values[1].nvmlReturn != NvmlLibrary.SUCCESS) return;
        long[] now = {values[0].timestamp, values[0].value, values[1].value};
        long[] before = nvlinkLast.put(d, now);
        if (before == null || now[0] <= before[0] || now[1] < before[1] || now[2] < before[2]) return;
        double seconds = (now[0] - before[0]) / 1e6;
        b.nvlinkTxBps((now[1] - before[1]) * 1024.0 / seconds).nvlinkRxBps((now[2] - before[2]) * 1024.0 / seconds);
    }

    /**
     * With MIG on, one sample per MIG instance: its UUID, memory and the job and rank of its processes (NVML has
     * no utilisation, power or temperature per instance: those stay on the whole GPU's sample).
     */
    private void migInstances(int index, Pointer d, GpuSample whole, long ts, Map<String, Map<Integer, Integer>> jobs,
                              Set<Integer> pids, List<TelemetryRecord> out) {
        IntByReference current = new IntByReference(), pending = new IntByReference();
        if (nvml.nvmlDeviceGetMigMode(d, current, pending) != NvmlLibrary.SUCCESS || current.getValue() != 1) {
            return;
        }
        IntByReference max = new IntByReference();
        if (!ok(nvml.nvmlDeviceGetMaxMigDeviceCount(d, max))) return;
        for (int m = 0; m < max.getValue(); m++) {
            PointerByReference ref = new PointerByReference();
            int rc = nvml.nvmlDeviceGetMigDeviceHandleByIndex(d, m, ref);
            if (rc == NvmlLibrary.ERROR_NOT_FOUND) continue; // an empty slot
            if (!ok(rc)) continue;
            Pointer mig = ref.getValue();
            IntByReference gi = new IntByReference();
            if (!ok(nvml.nvmlDeviceGetGpuInstanceId(mig, gi))) continue;
            GpuSample.Builder b = GpuSample.builder().source(GpuSample.Source.NVML).ts(ts).cluster(placement.cluster()).row(placement.row())
                    .rack(placement.rack()).host(placement.host()).gpu(index).migInstance(gi.getValue())
                    .model(whole.model()).state(GpuSample.GpuState.OK).origin(origin.next());
            byte[] buf = new byte[96];
            if (ok(nvml.nvmlDeviceGetUUID(mig, buf, buf.length))) b.uuid(cString(buf));
            memoryAndJob(mig, index, b, jobs, pids);
            out.add(b.build());
        }
    }

    /** Registers new devices for XID events and records the latest XID of each device since the last scrape. */
    private void drainXidEvents(List<Pointer> handles) {
        if (eventSet == null) return;
        for (Pointer d : handles) {
            if (d != null && registered.add(d)) {
                int rc = nvml.nvmlDeviceRegisterEvents(d, NvmlLibrary.EVENT_TYPE_XID_CRITICAL_ERROR, eventSet);
                if (rc == NvmlLibrary.ERROR_GPU_IS_LOST) {
                    registered.remove(d); // reported as LOST in its sample; try again if it comes back
                } else if (rc != NvmlLibrary.SUCCESS && rc != NvmlLibrary.ERROR_NOT_SUPPORTED) {
                    fieldErrors.incrementAndGet();
                }
            }
        }
        NvmlLibrary.EventData event = new NvmlLibrary.EventData();
        // Bounded: a storm of events must not stall the scrape.
        for (int n = 0; n < 1000 && nvml.nvmlEventSetWait_v2(eventSet, event, 0) == NvmlLibrary.SUCCESS; n++) {
            if ((event.eventType & NvmlLibrary.EVENT_TYPE_XID_CRITICAL_ERROR) != 0) {
                lastXid.put(event.device, (int) event.eventData);
            }
        }
    }

    /**
     * Memory, and the job and rank of the first attributable compute process, of a GPU or a MIG instance; records
     * the rank on GPU {@code index} for the host's job events.
     */
    private void memoryAndJob(Pointer d, int index, GpuSample.Builder b, Map<String, Map<Integer, Integer>> jobs,
                              Set<Integer> pids) {
        NvmlLibrary.Memory m = new NvmlLibrary.Memory();
        if (ok(nvml.nvmlDeviceGetMemoryInfo(d, m))) {
            b.memTotalMiB(m.total / 1048576.0).memUsedMiB(m.used / 1048576.0);
        }
        for (int pid : computePids(d)) {
            pids.add(pid);
            ProcessAttribution.Attribution a = attribution.of(pid);
            if (a.jobId() != null) {
                b.jobId(a.jobId());
                if (a.team() != null || a.account() != null || a.namespace() != null) owners.put(a.jobId(), a);
                if (a.rank() != null) {
                    b.rank(a.rank());
                    jobs.computeIfAbsent(a.jobId(), k -> new TreeMap<>()).put(a.rank(), index);
                }
                break;
            }
        }
    }

    private List<Integer> computePids(Pointer d) {
        IntByReference count = new IntByReference(0);
        int rc = nvml.nvmlDeviceGetComputeRunningProcesses_v3(d, count, null);
        if (rc == NvmlLibrary.SUCCESS || count.getValue() == 0) {
            return List.of();
        }
        if (rc != NvmlLibrary.ERROR_INSUFFICIENT_SIZE) {
            ok(rc);
            return List.of();
        }
        NvmlLibrary.ProcessInfo[] infos = (NvmlLibrary.ProcessInfo[]) new NvmlLibrary.ProcessInfo().toArray(count.getValue() + 4);
        IntByReference n = new IntByReference(infos.length);
        if (!ok(nvml.nvmlDeviceGetComputeRunningProcesses_v3(d, n, infos))) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>(n.getValue());
        for (int k = 0; k < n.getValue(); k++) {
            infos[k].read();
            out.add(infos[k].pid);
        }
        return out;
    }

    /** START / RESIZE / END events for jobs whose ranks on this host changed since the last scrape. */
    private List<JobEvent> jobChanges(Map<String, Map<Integer, Integer>> now, long ts) {
        List<JobEvent> events = new ArrayList<>();
        Set<String> all = new HashSet<>(jobsHere.keySet());
        all.addAll(now.keySet());
        for (String job : new java.util.TreeSet<>(all)) {
            Map<Integer, Integer> before = jobsHere.get(job), after = now.get(job);
            if (after != null && after.equals(before)) continue;
            JobEvent.Kind kind = before == null ? JobEvent.Kind.START : after == null ? JobEvent.Kind.END : JobEvent.Kind.RESIZE;
            List<JobEvent.RankAllocation> ranks = new ArrayList<>();
            if (after != null) {
                after.forEach((rank, gpu) -> ranks.add(new JobEvent.RankAllocation(rank, placement.host(), gpu, null)));
            }
            ProcessAttribution.Attribution owner = owners.get(job);
            events.add(new JobEvent(ts, placement.cluster(), job, kind, null, owner == null ? null : owner.team(),
                    ranks, origin.next(), owner == null ? null : owner.account(),
                    owner == null ? null : owner.namespace()));
            if (after == null) owners.remove(job);
        }
        jobsHere = now;
        return events;
    }

    private boolean ok(int rc) {
        if (rc == NvmlLibrary.SUCCESS) return true;
        if (rc != NvmlLibrary.ERROR_NOT_SUPPORTED) fieldErrors.incrementAndGet();
        return false;
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        if (eventSet != null) nvml.nvmlEventSetFree(eventSet);
        nvml.nvmlShutdown();
    }
}
