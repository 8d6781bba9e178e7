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
import java.util.function.Function;

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
        String key = "gpu/" + s.cluster() + "/" + s.host() + "/" + s.gpu() + "/" + s.migInstance() + "/" + s.source();
        GpuSample.Builder b = s.toBuilder();
        b.cluster(text("cluster", s.cluster())).row(text("row", s.row())).rack(text("rack", s.rack()))
                .host(text("host", s.host())).uuid(text("uuid", s.uuid())).model(text("model", s.model()))
                .jobId(text("jobId", s.jobId())).pod(text("pod", s.pod())).namespace(text("namespace", s.namespace()))
                .container(text("container", s.container())).serial(text("serial", s.serial()))
                .driverVersion(text("driverVersion", s.driverVersion()));
        b.gpuUtilPct(check("gpuUtilPct", s.gpuUtilPct(), TelemetryValidator::percent))
                .smActivePct(check("smActivePct", s.smActivePct(), TelemetryValidator::percent))
                .tensorActivePct(check("tensorActivePct", s.tensorActivePct(), TelemetryValidator::percent))
                .dramActivePct(check("dramActivePct", s.dramActivePct(), TelemetryValidator::percent))
                .memUsedMiB(nonNegative("memUsedMiB", s.memUsedMiB()))
                .memTotalMiB(nonNegative("memTotalMiB", s.memTotalMiB()))
                .gpuTempC(check("gpuTempC", s.gpuTempC(), TelemetryValidator::temperature))
                .memTempC(check("memTempC", s.memTempC(), TelemetryValidator::temperature))
                .slowdownTempC(check("slowdownTempC", s.slowdownTempC(), TelemetryValidator::temperature))
                .shutdownTempC(check("shutdownTempC", s.shutdownTempC(), TelemetryValidator::temperature))
                .powerW(check("powerW", s.powerW(), TelemetryValidator::power))
                .powerLimitW(check("powerLimitW", s.powerLimitW(), TelemetryValidator::power))
                .smClockMHz(nonNegative("smClockMHz", s.smClockMHz()))
                .memClockMHz(nonNegative("memClockMHz", s.memClockMHz()))
                .coreVoltageV(nonNegative("coreVoltageV", s.coreVoltageV()))
                .nvlinkTxBps(nonNegative("nvlinkTxBps", s.nvlinkTxBps()))
                .nvlinkRxBps(nonNegative("nvlinkRxBps", s.nvlinkRxBps()))
                .pcieTxBps(nonNegative("pcieTxBps", s.pcieTxBps()))
                .pcieRxBps(nonNegative("pcieRxBps", s.pcieRxBps()));
        if (s.clockEventReasons() != null && s.clockEventReasons() < 0) {
            count("clockEventReasons", "NEGATIVE_VALUE");
            b.clockEventReasons(null);
        }
        if (s.gpu() != null && s.gpu() < 0) {
            return s; // the validator refuses the whole record with its reason; nothing to save field by field
        }
        Counters c = new Counters(key);
        b.energyJ(c.real("energyJ", nonNegative("energyJ", s.energyJ())))
                .powerThrottleSeconds(c.real("powerThrottleSeconds", nonNegative("powerThrottleSeconds", s.powerThrottleSeconds())))
                .thermalThrottleSeconds(c.real("thermalThrottleSeconds", nonNegative("thermalThrottleSeconds", s.thermalThrottleSeconds())))
                .hwThrottleSeconds(c.real("hwThrottleSeconds", nonNegative("hwThrottleSeconds", s.hwThrottleSeconds())))
                .swThrottleSeconds(c.real("swThrottleSeconds", nonNegative("swThrottleSeconds", s.swThrottleSeconds())))
                .eccCorrected(c.whole("eccCorrected", nonNegative("eccCorrected", s.eccCorrected())))
                .eccUncorrected(c.whole("eccUncorrected", nonNegative("eccUncorrected", s.eccUncorrected())))
                .pcieReplays(c.whole("pcieReplays", nonNegative("pcieReplays", s.pcieReplays())))
                .pcieCorrectableErrors(c.whole("pcieCorrectableErrors", nonNegative("pcieCorrectableErrors", s.pcieCorrectableErrors())))
                .pcieUncorrectableErrors(c.whole("pcieUncorrectableErrors", nonNegative("pcieUncorrectableErrors", s.pcieUncorrectableErrors())))
                .remappedRowsCorrectable(c.whole("remappedRowsCorrectable", nonNegative("remappedRowsCorrectable", s.remappedRowsCorrectable())))
                .remappedRowsUncorrectable(c.whole("remappedRowsUncorrectable", nonNegative("remappedRowsUncorrectable", s.remappedRowsUncorrectable())));
        GpuSample out = b.build();
        // The builder decodes clockEventNames from the mask; keep the sample's own names when the mask stayed.
        return out.equals(s) ? s : out;
    }

    private PowerSample power(PowerSample s) {
        return new PowerSample(s.ts(), text("cluster", s.cluster()), text("row", s.row()), text("rack", s.rack()),
                text("host", s.host()), s.source(), text("device", s.device()),
                check("powerW", s.powerW(), TelemetryValidator::power),
                check("capacityW", s.capacityW(), TelemetryValidator::power),
                list("phaseCurrentA", s.phaseCurrentA()), s.origin(),
                check("outputPowerW", s.outputPowerW(), TelemetryValidator::power),
                check("inputVoltageV", s.inputVoltageV(), TelemetryValidator::finite),
                check("efficiencyPct", s.efficiencyPct(), TelemetryValidator::percent));
    }

    private CoolingSample cooling(CoolingSample s) {
        List<CoolingSample.LeakDetector> leaks = null;
        if (s.leakDetectors() != null) {
            leaks = new ArrayList<>();
            for (CoolingSample.LeakDetector d : s.leakDetectors()) {
                if (d != null && d.state() != null && d.name() != null && !d.name().isBlank()) {
                    leaks.add(new CoolingSample.LeakDetector(text("leakDetectors.name", d.name()), d.state()));
                }
            }
        }
        List<String> racks = null;
        if (s.servesRacks() != null) {
            racks = new ArrayList<>();
            for (String r : s.servesRacks()) racks.add(text("servesRacks", r));
        }
        return new CoolingSample(s.ts(), text("cluster", s.cluster()), text("row", s.row()), text("rack", s.rack()),
                s.source(), text("device", s.device()),
                check("supplyTempC", s.supplyTempC(), TelemetryValidator::temperature),
                check("returnTempC", s.returnTempC(), TelemetryValidator::temperature),
                nonNegative("flowLpm", s.flowLpm()),
                check("diffPressureKPa", s.diffPressureKPa(), TelemetryValidator::finite),
                s.leakDetected(),
                check("inletAirTempC", s.inletAirTempC(), TelemetryValidator::temperature),
                check("outletAirTempC", s.outletAirTempC(), TelemetryValidator::temperature),
                list("fanRpm", s.fanRpm()), racks, s.origin(), leaks == null || leaks.isEmpty() ? null : leaks);
    }

    private interface Check<T> {
        Rejection apply(String field, T value);
    }

    private <T extends Number> T check(String field, T value, Check<T> rule) {
        if (value == null) return null;
        Rejection r = rule.apply(field, value);
        if (r == null) return value;
        count(field, r.reason().name());
        return null;
    }

    private <T extends Number> T nonNegative(String field, T value) {
        return check(field, value, TelemetryValidator::nonNegative);
    }

    private List<Double> list(String field, List<Double> values) {
        if (values == null) return null;
        for (Double v : values) {
            if (v == null || TelemetryValidator.nonNegative(field, v) != null) {
                count(field, v == null ? "MISSING_FIELD" : TelemetryValidator.nonNegative(field, v).reason().name());
                return null;
            }
        }
        return values;
    }

    private String text(String field, String value) {
        if (value == null || value.length() <= MAX_TEXT) return value;
        count(field, "TEXT_TOO_LONG");
        return value.substring(0, MAX_TEXT);
    }

    private void count(String field, String reason) {
        dropped.computeIfAbsent(field + "/" + reason, k -> new AtomicLong()).incrementAndGet();
    }

    /** The last value of each cumulative counter of one device, to catch one going backwards. */
    private final class Counters {
        private final Map<String, Double> last;

        Counters(String key) {
            this.last = lastCounters.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        }

        Double real(String field, Double value) {
            return checkMonotonic(field, value, Function.identity());
        }

        Long whole(String field, Long value) {
            return checkMonotonic(field, value, Number::doubleValue);
        }

        private <T extends Number> T checkMonotonic(String field, T value, Function<T, Double> asDouble) {
            if (value == null) return null;
            double v = asDouble.apply(value);
            Double before = last.put(field, v);
            if (before != null && v < before) {
                count(field, "COUNTER_BACKWARDS");
                return null;
            }
            return value;
        }
    }
}
