package io.vigil.collectors;

import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import io.vigil.model.Rejection;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lenient parsing, strict values: before a record leaves the collector, every reading outside its physical range
 * (negative power, utilisation over 100 %, a temperature outside the validator's range, a counter that went
 * backwards) is dropped on its own — the field becomes absent, the rest of the record is kept — and counted by
 * field and reason. Text fields are cut to {@value #MAX_TEXT} characters. The ranges are the model's
 * ({@link TelemetryValidator}), so a collector never publishes what the pipeline would refuse for a value.
 *
 * <p>A cumulative counter (energy, ECC, PCIe errors, throttle time, remapped rows) that reads lower than the last
 * time for the same device and source is dropped once, and its new value becomes the reference: a driver reload
 * or BMC reboot costs one reading, a garbled value costs only itself.
 */
public final class RecordSanitizer {

    /** The longest text a label or name field may hold. */
    public static final int MAX_TEXT = 256;
    /** Devices whose counters are remembered; beyond this, the oldest are forgotten. */
    private static final int MAX_DEVICES = 250_000;

    private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Double>> lastCounters = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, Double>> eldest) {
                    return size() > MAX_DEVICES;
                }
            });

    /** Values dropped so far, by {@code field/reason} (reason: the validator's reject reason, or {@code COUNTER_BACKWARDS}, {@code TEXT_TOO_LONG}). */
    public Map<String, Long> dropped() {
        Map<String, Long> out = new java.util.TreeMap<>();
        dropped.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public TelemetryRecord clean(TelemetryRecord r) {
        if (r instanceof GpuSample s) return gpu(s);
        if (r instanceof PowerSample s) return power(s);
        if (r instanceof CoolingSample s) return cooling(s);
        return r;
    }

    private GpuSample gpu(GpuSample s) {
        if (s.gpu() != null && s.gpu() < 0) {
            return s; // the validator refuses the whole record with its reason; nothing to save field by field
        }
        Pass p = new Pass("gpu/" + s.cluster() + "/" + s.host() + "/" + s.gpu() + "/" + s.migInstance() + "/" + s.source());
        GpuSample.Builder b = s.toBuilder();
        b.cluster(p.text("cluster", s.cluster())).row(p.text("row", s.row())).rack(p.text("rack", s.rack()))
                .host(p.text("host", s.host())).uuid(p.text("uuid", s.uuid())).model(p.text("model", s.model()))
                .jobId(p.text("jobId", s.jobId())).pod(p.text("pod", s.pod())).namespace(p.text("namespace", s.namespace()))
                .container(p.text("container", s.container())).serial(p.text("serial", s.serial()))
                .driverVersion(p.text("driverVersion", s.driverVersion()));
        b.gpuUtilPct(p.check("gpuUtilPct", s.gpuUtilPct(), TelemetryValidator::percent))
                .smActivePct(p.check("smActivePct", s.smActivePct(), TelemetryValidator::percent))
                .tensorActivePct(p.check("tensorActivePct", s.tensorActivePct(), TelemetryValidator::percent))
                .dramActivePct(p.check("dramActivePct", s.dramActivePct(), TelemetryValidator::percent))
                .memUsedMiB(p.nonNegative("memUsedMiB", s.memUsedMiB()))
                .memTotalMiB(p.nonNegative("memTotalMiB", s.memTotalMiB()))
                .gpuTempC(p.check("gpuTempC", s.gpuTempC(), TelemetryValidator::temperature))
                .memTempC(p.check("memTempC", s.memTempC(), TelemetryValidator::temperature))
                .slowdownTempC(p.check("slowdownTempC", s.slowdownTempC(), TelemetryValidator::temperature))
                .shutdownTempC(p.check("shutdownTempC", s.shutdownTempC(), TelemetryValidator::temperature))
                .powerW(p.check("powerW", s.powerW(), TelemetryValidator::power))
                .powerLimitW(p.check("powerLimitW", s.powerLimitW(), TelemetryValidator::power))
                .smClockMHz(p.plausible("smClockMHz", s.smClockMHz()))
                .memClockMHz(p.plausible("memClockMHz", s.memClockMHz()))
                .coreVoltageV(p.plausible("coreVoltageV", s.coreVoltageV()))
                .nvlinkTxBps(p.nonNegative("nvlinkTxBps", s.nvlinkTxBps()))
                .nvlinkRxBps(p.nonNegative("nvlinkRxBps", s.nvlinkRxBps()))
                .pcieTxBps(p.nonNegative("pcieTxBps", s.pcieTxBps()))
                .pcieRxBps(p.nonNegative("pcieRxBps", s.pcieRxBps()));
        if (s.clockEventReasons() != null && s.clockEventReasons() < 0) {
            p.drop("clockEventReasons", "NEGATIVE_VALUE");
            b.clockEventReasons(null);
        }
        b.energyJ(p.counter("energyJ", s.energyJ()))
                .powerThrottleSeconds(p.counter("powerThrottleSeconds", s.powerThrottleSeconds()))
                .thermalThrottleSeconds(p.counter("thermalThrottleSeconds", s.thermalThrottleSeconds()))
                .hwThrottleSeconds(p.counter("hwThrottleSeconds", s.hwThrottleSeconds()))
                .swThrottleSeconds(p.counter("swThrottleSeconds", s.swThrottleSeconds()))
                .eccCorrected(p.counter("eccCorrected", s.eccCorrected()))
                .eccUncorrected(p.counter("eccUncorrected", s.eccUncorrected()))
                .pcieReplays(p.counter("pcieReplays", s.pcieReplays()))
                .pcieCorrectableErrors(p.counter("pcieCorrectableErrors", s.pcieCorrectableErrors()))
                .pcieUncorrectableErrors(p.counter("pcieUncorrectableErrors", s.pcieUncorrectableErrors()))
                .remappedRowsCorrectable(p.counter("remappedRowsCorrectable", s.remappedRowsCorrectable()))
                .remappedRowsUncorrectable(p.counter("remappedRowsUncorrectable", s.remappedRowsUncorrectable()));
        // Nearly every sample is plausible: it leaves as it came, without a copy.
        return p.changed ? b.build() : s;
    }

    private PowerSample power(PowerSample s) {
        Pass p = new Pass(null);
        Double input = p.check("powerW", s.powerW(), TelemetryValidator::power);
        Double output = p.check("outputPowerW", s.outputPowerW(), TelemetryValidator::power);
        Double efficiency = p.check("efficiencyPct", s.efficiencyPct(), TelemetryValidator::percent);
        if (TelemetryValidator.outputWithinInput(input, output) != null) {
            // Which of the two is wrong cannot be told; the input is the one capacity is planned on, so it stays.
            p.drop("outputPowerW", "OUTPUT_ABOVE_INPUT");
            output = null;
            efficiency = null;
        }
        PowerSample out = new PowerSample(s.ts(), p.text("cluster", s.cluster()), p.text("row", s.row()),
                p.text("rack", s.rack()), p.text("host", s.host()), s.source(), p.text("device", s.device()),
                input, p.check("capacityW", s.capacityW(), TelemetryValidator::power),
                p.list("phaseCurrentA", s.phaseCurrentA()), s.origin(), output,
                p.plausible("inputVoltageV", s.inputVoltageV()), efficiency);
        return p.changed ? out : s;
    }

    private CoolingSample cooling(CoolingSample s) {
        Pass p = new Pass(null);
        List<CoolingSample.LeakDetector> leaks = null;
        if (s.leakDetectors() != null) {
            leaks = new ArrayList<>();
            for (CoolingSample.LeakDetector d : s.leakDetectors()) {
                if (d != null && d.state() != null && d.name() != null && !d.name().isBlank()) {
                    leaks.add(new CoolingSample.LeakDetector(p.text("leakDetectors.name", d.name()), d.state(),
                            p.text("leakDetectors.where", d.where()), p.text("leakDetectors.reportedState",
                            d.reportedState()), p.nonNegative("leakDetectors.reactionDelaySeconds",
                            d.reactionDelaySeconds()), p.text("leakDetectors.reaction", d.reaction())));
                } else {
                    p.drop("leakDetectors", "MISSING_FIELD");
                }
            }
        }
        List<String> racks = null;
        if (s.servesRacks() != null) {
            racks = new ArrayList<>();
            for (String r : s.servesRacks()) racks.add(p.text("servesRacks", r));
        }
        CoolingSample out = new CoolingSample(s.ts(), p.text("cluster", s.cluster()), p.text("row", s.row()),
                p.text("rack", s.rack()), s.source(), p.text("device", s.device()),
                p.check("supplyTempC", s.supplyTempC(), TelemetryValidator::temperature),
                p.check("returnTempC", s.returnTempC(), TelemetryValidator::temperature),
                p.nonNegative("flowLpm", s.flowLpm()),
                p.check("diffPressureKPa", s.diffPressureKPa(), TelemetryValidator::finite),
                s.leakDetected(),
                p.check("inletAirTempC", s.inletAirTempC(), TelemetryValidator::temperature),
                p.check("outletAirTempC", s.outletAirTempC(), TelemetryValidator::temperature),
                p.list("fanRpm", s.fanRpm()), racks, s.origin(), leaks == null || leaks.isEmpty() ? null : leaks);
        return p.changed ? out : s;
    }

    private interface Check<T> {
        Rejection apply(String field, T value);
    }

    private void count(String field, String reason) {
        dropped.computeIfAbsent(field + "/" + reason, k -> new AtomicLong()).incrementAndGet();
    }

    /** One record's checks: each drop is counted, and whether anything was dropped or cut is remembered. */
    private final class Pass {
        private final String counterKey;
        private Map<String, Double> last;
        boolean changed;

        /** @param counterKey the device's identity for its cumulative counters; null where the record has none */
        Pass(String counterKey) {
            this.counterKey = counterKey;
        }

        void drop(String field, String reason) {
            count(field, reason);
            changed = true;
        }

        <T extends Number> T check(String field, T value, Check<T> rule) {
            if (value == null) return null;
            Rejection r = rule.apply(field, value);
            if (r == null) return value;
            drop(field, r.reason().name());
            return null;
        }

        <T extends Number> T nonNegative(String field, T value) {
            return check(field, value, TelemetryValidator::nonNegative);
        }

        <T extends Number> T plausible(String field, T value) {
            return check(field, value, TelemetryValidator::plausible);
        }

        /** A list of readings (fans, phases): a bad value drops only itself; the list goes only if none is left. */
        List<Double> list(String field, List<Double> values) {
            if (values == null) return null;
            List<Double> kept = null;
            for (int i = 0; i < values.size(); i++) {
                Double v = values.get(i);
                Rejection r = v == null ? null : TelemetryValidator.plausible(field, v);
                if (r == null && v != null && v < 0) r = TelemetryValidator.nonNegative(field, v);
                if (v == null || r != null) {
                    drop(field, v == null ? "MISSING_FIELD" : r.reason().name());
                    if (kept == null) kept = new ArrayList<>(values.subList(0, i));
                } else if (kept != null) {
                    kept.add(v);
                }
            }
            if (kept == null) return values;
            return kept.isEmpty() ? null : kept;
        }

        String text(String field, String value) {
            if (value == null || value.length() <= MAX_TEXT) return value;
            drop(field, "TEXT_TOO_LONG");
            return value.substring(0, MAX_TEXT);
        }

        /** A cumulative counter: non-negative, and not lower than the last time for the same device and source. */
        <T extends Number> T counter(String field, T value) {
            value = nonNegative(field, value);
            if (value == null) return null;
            if (last == null) last = lastCounters.computeIfAbsent(counterKey, k -> new ConcurrentHashMap<>());
            double v = value.doubleValue();
            Double before = last.put(field, v);
            if (before != null && v < before) {
                drop(field, "COUNTER_BACKWARDS");
                return null;
            }
            return value;
        }
    }
}
