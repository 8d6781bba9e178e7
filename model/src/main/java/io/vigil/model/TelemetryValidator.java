package io.vigil.model;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * The one place where telemetry is judged physically plausible. It runs before a record is given an event time,
 * so a host with a clock far in the future is refused here instead of pushing the watermark ahead for everyone.
 *
 * <p>Returns {@code null} for a valid record, otherwise the first {@link Rejection} found. The per-field checks
 * ({@link #temperature}, {@link #percent}, {@link #power}, {@link #nonNegative}, {@link #finite}) are public so a
 * collector can drop one implausible reading field by field, by the same rules, instead of losing the record.
 */
public final class TelemetryValidator {

    /** Degrees Celsius a real sensor can report; outside this the sensor or the record is broken. */
    public static final double MIN_TEMP_C = -40, MAX_TEMP_C = 150;
    /** Power above this (10 MW) for one device or PDU is a unit error, not a measurement. */
    public static final double MAX_POWER_W = 10_000_000;

    /**
     * The plausible range of a reading whose unit alone does not bound it, in one table: a value outside is a unit
     * error or a garbled register (a 5,000 V GPU core, a clock of 10⁹ MHz), never a measurement.
     */
    public record Range(String field, double min, double max, String unit) {
        Rejection check(Number value) {
            Rejection r = finite(field, value);
            if (r != null || value == null) return r;
            double v = value.doubleValue();
            if (v < 0 && min >= 0) return new Rejection(RejectReason.NEGATIVE_VALUE, field + " is negative: " + value);
            return v < min || v > max
                    ? new Rejection(RejectReason.OUT_OF_RANGE, String.format(java.util.Locale.ROOT,
                            "%s is %s %s, outside the plausible range %s..%s %s", field, value, unit, fmt(min),
                            fmt(max), unit))
                    : null;
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }

    /** The plausibility table; {@link #plausible} checks against it. */
    public static final List<Range> RANGES = List.of(
            new Range("coreVoltageV", 0, 3, "V"),          // GPU core rails run about 0.6-1.1 V
            new Range("smClockMHz", 0, 10_000, "MHz"),     // the fastest GPU SM clocks are about 3 GHz
            new Range("memClockMHz", 0, 20_000, "MHz"),    // HBM and GDDR command clocks stay under 15 GHz
            new Range("inputVoltageV", -600, 600, "V"),    // supplies take up to 480 V AC or -48/400 V DC
            new Range("fanRpm", 0, 100_000, "rpm"));       // the fastest server fans spin about 35,000 rpm

    private static final java.util.Map<String, Range> BY_FIELD = RANGES.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(Range::field, r -> r));

    /** Checks {@code value} against the plausibility table's row for {@code field} (finite only, if it has none). */
    public static Rejection plausible(String field, Number value) {
        Range r = BY_FIELD.get(field);
        return r == null ? finite(field, value) : r.check(value);
    }

    private final InstantSource clock;
    private final long maxFutureMs;

    public TelemetryValidator(InstantSource clock, Duration maxFutureSkew) {
        this.clock = clock;
        this.maxFutureMs = maxFutureSkew.toMillis();
    }

    /** Accepts timestamps up to 5 minutes ahead of this machine's clock. */
    public static TelemetryValidator withSystemClock() {
        return new TelemetryValidator(InstantSource.system(), Duration.ofMinutes(5));
    }

    public Rejection validate(TelemetryRecord record) {
        Rejection r;
        if (record instanceof GpuSample s) {
            r = gpu(s);
        } else if (record instanceof PowerSample s) {
            r = power(s);
        } else if (record instanceof CoolingSample s) {
            r = cooling(s);
        } else if (record instanceof JobEvent e) {
            r = job(e);
        } else if (record instanceof StepEvent e) {
            r = step(e);
        } else {
            r = alert((AlertEvent) record);
        }
        if (r != null) {
            return r;
        }
        long ahead = record.eventTimeMs() - clock.millis();
        if (ahead > maxFutureMs) {
            return new Rejection(RejectReason.FUTURE_TIMESTAMP,
                    "timestamp is " + (ahead / 1000) + " s ahead of the receiver's clock (limit "
                            + (maxFutureMs / 1000) + " s)");
        }
        return null;
    }

    private Rejection gpu(GpuSample s) {
        Rejection r;
        if ((r = required("ts", s.ts() > 0 ? s.ts() : null)) != null) return r;
        if ((r = required("cluster", s.cluster())) != null) return r;
        if ((r = required("host", s.host())) != null) return r;
        if ((r = required("gpu", s.gpu())) != null) return r;
        if (s.gpu() < 0) return new Rejection(RejectReason.NEGATIVE_VALUE, "gpu index " + s.gpu() + " is negative");
        if (s.migInstance() != null && s.migInstance() < 0) {
            return new Rejection(RejectReason.NEGATIVE_VALUE, "migInstance " + s.migInstance() + " is negative");
        }
        if ((r = percent("gpuUtilPct", s.gpuUtilPct())) != null) return r;
        if ((r = percent("smActivePct", s.smActivePct())) != null) return r;
        if ((r = percent("tensorActivePct", s.tensorActivePct())) != null) return r;
        if ((r = nonNegative("memUsedMiB", s.memUsedMiB())) != null) return r;
        if ((r = nonNegative("memTotalMiB", s.memTotalMiB())) != null) return r;
        if ((r = temperature("gpuTempC", s.gpuTempC())) != null) return r;
        if ((r = temperature("memTempC", s.memTempC())) != null) return r;
        if ((r = temperature("slowdownTempC", s.slowdownTempC())) != null) return r;
        if ((r = temperature("shutdownTempC", s.shutdownTempC())) != null) return r;
        if ((r = power("powerW", s.powerW())) != null) return r;
        if ((r = power("powerLimitW", s.powerLimitW())) != null) return r;
        if ((r = nonNegative("energyJ", s.energyJ())) != null) return r;
        if ((r = plausible("smClockMHz", s.smClockMHz())) != null) return r;
        if ((r = plausible("memClockMHz", s.memClockMHz())) != null) return r;
        if ((r = nonNegative("clockEventReasons", s.clockEventReasons())) != null) return r;
        if ((r = nonNegative("eccCorrected", s.eccCorrected())) != null) return r;
        if ((r = nonNegative("eccUncorrected", s.eccUncorrected())) != null) return r;
        if ((r = nonNegative("nvlinkTxBps", s.nvlinkTxBps())) != null) return r;
        if ((r = nonNegative("nvlinkRxBps", s.nvlinkRxBps())) != null) return r;
        if ((r = nonNegative("pcieTxBps", s.pcieTxBps())) != null) return r;
        if ((r = nonNegative("pcieRxBps", s.pcieRxBps())) != null) return r;
        if ((r = plausible("coreVoltageV", s.coreVoltageV())) != null) return r;
        if ((r = percent("dramActivePct", s.dramActivePct())) != null) return r;
        if ((r = nonNegative("powerThrottleSeconds", s.powerThrottleSeconds())) != null) return r;
        if ((r = nonNegative("thermalThrottleSeconds", s.thermalThrottleSeconds())) != null) return r;
        if ((r = nonNegative("hwThrottleSeconds", s.hwThrottleSeconds())) != null) return r;
        if ((r = nonNegative("swThrottleSeconds", s.swThrottleSeconds())) != null) return r;
        if ((r = nonNegative("pcieReplays", s.pcieReplays())) != null) return r;
        if ((r = nonNegative("pcieCorrectableErrors", s.pcieCorrectableErrors())) != null) return r;
        if ((r = nonNegative("pcieUncorrectableErrors", s.pcieUncorrectableErrors())) != null) return r;
        if ((r = nonNegative("remappedRowsCorrectable", s.remappedRowsCorrectable())) != null) return r;
        return nonNegative("remappedRowsUncorrectable", s.remappedRowsUncorrectable());
    }

    private Rejection power(PowerSample s) {
        Rejection r;
        if ((r = required("ts", s.ts() > 0 ? s.ts() : null)) != null) return r;
        if ((r = required("cluster", s.cluster())) != null) return r;
        if ((r = required("source", s.source())) != null) return r;
        if ((r = required("device", s.device())) != null) return r;
        if ((r = power("powerW", s.powerW())) != null) return r;
        if ((r = power("capacityW", s.capacityW())) != null) return r;
        if ((r = power("outputPowerW", s.outputPowerW())) != null) return r;
        if ((r = plausible("inputVoltageV", s.inputVoltageV())) != null) return r; // -48 V DC supplies are real
        if ((r = percent("efficiencyPct", s.efficiencyPct())) != null) return r;
        if ((r = outputWithinInput(s.powerW(), s.outputPowerW())) != null) return r;
        return nonNegativeAll("phaseCurrentA", s.phaseCurrentA());
    }

    private Rejection cooling(CoolingSample s) {
        Rejection r;
        if ((r = required("ts", s.ts() > 0 ? s.ts() : null)) != null) return r;
        if ((r = required("cluster", s.cluster())) != null) return r;
        if ((r = required("source", s.source())) != null) return r;
        if ((r = required("device", s.device())) != null) return r;
        if ((r = temperature("supplyTempC", s.supplyTempC())) != null) return r;
        if ((r = temperature("returnTempC", s.returnTempC())) != null) return r;
        if ((r = nonNegative("flowLpm", s.flowLpm())) != null) return r;
        if ((r = finite("diffPressureKPa", s.diffPressureKPa())) != null) return r;
        if ((r = temperature("inletAirTempC", s.inletAirTempC())) != null) return r;
        if ((r = temperature("outletAirTempC", s.outletAirTempC())) != null) return r;
        if (s.leakDetectors() != null) {
            for (CoolingSample.LeakDetector d : s.leakDetectors()) {
                if (d == null || d.name() == null || d.name().isBlank() || d.state() == null) {
                    return new Rejection(RejectReason.MISSING_FIELD, "leakDetectors: each entry needs name and state");
                }
            }
        }
        if (s.fanRpm() != null) {
            for (Double v : s.fanRpm()) {
                r = v == null ? new Rejection(RejectReason.MISSING_FIELD, "fanRpm holds a null") : plausible("fanRpm", v);
                if (r != null) return r;
            }
        }
        return null;
    }

    private Rejection job(JobEvent e) {
        Rejection r;
        if ((r = required("ts", e.ts() > 0 ? e.ts() : null)) != null) return r;
        if ((r = required("cluster", e.cluster())) != null) return r;
        if ((r = required("jobId", e.jobId())) != null) return r;
        if ((r = required("kind", e.kind())) != null) return r;
        if (e.ranks() != null) {
            for (JobEvent.RankAllocation a : e.ranks()) {
                if (a == null || a.host() == null || a.rank() < 0 || a.gpu() < 0) {
                    return new Rejection(RejectReason.INVALID_FIELD, "ranks: each entry needs rank >= 0, host and gpu >= 0");
                }
            }
        }
        return null;
    }

    private Rejection step(StepEvent e) {
        Rejection r;
        if ((r = required("cluster", e.cluster())) != null) return r;
        if ((r = required("jobId", e.jobId())) != null) return r;
        if ((r = required("startTs", e.startTs() > 0 ? e.startTs() : null)) != null) return r;
        if ((r = required("endTs", e.endTs() > 0 ? e.endTs() : null)) != null) return r;
        if (e.rank() < 0) return new Rejection(RejectReason.NEGATIVE_VALUE, "rank " + e.rank() + " is negative");
        if (e.step() < 0) return new Rejection(RejectReason.NEGATIVE_VALUE, "step " + e.step() + " is negative");
        if (e.endTs() < e.startTs()) {
            return new Rejection(RejectReason.INVALID_FIELD, "endTs " + e.endTs() + " is before startTs " + e.startTs());
        }
        if ((r = nonNegative("computeMs", e.computeMs())) != null) return r;
        return nonNegative("commMs", e.commMs());
    }

    private Rejection alert(AlertEvent a) {
        Rejection r;
        if ((r = required("fingerprint", a.fingerprint())) != null) return r;
        if ((r = required("type", a.type())) != null) return r;
        if ((r = required("severity", a.severity())) != null) return r;
        if ((r = required("state", a.state())) != null) return r;
        return required("startsAt", a.startsAt());
    }

    private static Rejection required(String field, Object value) {
        return value == null || (value instanceof String s && s.isBlank())
                ? new Rejection(RejectReason.MISSING_FIELD, "required field '" + field + "' is missing")
                : null;
    }

    public static Rejection finite(String field, Number value) {
        if (value == null) return null;
        double v = value.doubleValue();
        return Double.isNaN(v) || Double.isInfinite(v)
                ? new Rejection(RejectReason.NOT_A_NUMBER, field + " is " + value)
                : null;
    }

    public static Rejection nonNegative(String field, Number value) {
        Rejection r = finite(field, value);
        if (r != null || value == null) return r;
        return value.doubleValue() < 0
                ? new Rejection(RejectReason.NEGATIVE_VALUE, field + " is negative: " + value)
                : null;
    }

    private static Rejection nonNegativeAll(String field, List<Double> values) {
        if (values == null) return null;
        for (Double v : values) {
            Rejection r = v == null ? new Rejection(RejectReason.MISSING_FIELD, field + " holds a null")
                    : nonNegative(field, v);
            if (r != null) return r;
        }
        return null;
    }

    /**
     * A supply cannot give out more than it takes in: output above input (beyond 2 % for the two sensors'
     * tolerances) means one of the two readings is wrong.
     */
    public static Rejection outputWithinInput(Double inputW, Double outputW) {
        if (inputW == null || outputW == null || !(outputW > inputW * 1.02 + 1)) return null;
        return new Rejection(RejectReason.INVALID_FIELD, String.format(java.util.Locale.ROOT,
                "outputPowerW %.1f W is above the input %.1f W", outputW, inputW));
    }

    public static Rejection percent(String field, Double value) {
        Rejection r = nonNegative(field, value);
        if (r != null || value == null) return r;
        return value > 100.0 ? new Rejection(RejectReason.OUT_OF_RANGE, field + " is over 100%: " + value) : null;
    }

    public static Rejection temperature(String field, Double value) {
        Rejection r = finite(field, value);
        if (r != null || value == null) return r;
        return value < MIN_TEMP_C || value > MAX_TEMP_C
                ? new Rejection(RejectReason.OUT_OF_RANGE,
                        field + " is " + value + " °C, outside the physical range " + MIN_TEMP_C + ".." + MAX_TEMP_C)
                : null;
    }

    public static Rejection power(String field, Double value) {
        Rejection r = finite(field, value);
        if (r != null || value == null) return r;
        if (value < 0) return new Rejection(RejectReason.NEGATIVE_VALUE, field + " is negative: " + value + " W");
        return value > MAX_POWER_W ? new Rejection(RejectReason.OUT_OF_RANGE, field + " is " + value + " W") : null;
    }
}
