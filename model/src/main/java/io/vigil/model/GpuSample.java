package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One GPU at one instant: one record per GPU per scrape, on {@link Topics#gpu()}.
 *
 * <p>A field the source does not provide is {@code null} and absent from the JSON, never zero: a zero would be
 * read as a measurement. Units are in the names: percent ({@code Pct}), degrees Celsius ({@code C}), watts
 * ({@code W}), joules ({@code J}), MiB, MHz and bytes per second ({@code Bps}).
 */
public record GpuSample(
        long ts,
        String cluster,
        String row,
        String rack,
        String host,
        Integer gpu,
        Integer migInstance,
        String uuid,
        String model,
        String jobId,
        Integer rank,
        String pod,
        String namespace,
        String container,
        GpuState state,
        Double gpuUtilPct,
        Double smActivePct,
        Double tensorActivePct,
        Double memUsedMiB,
        Double memTotalMiB,
        Double gpuTempC,
        Double memTempC,
        Double slowdownTempC,
        Double shutdownTempC,
        Double powerW,
        Double powerLimitW,
        Double energyJ,
        Double smClockMHz,
        Double memClockMHz,
        Long clockEventReasons,
        List<String> clockEventNames,
        Long eccCorrected,
        Long eccUncorrected,
        Integer lastXid,
        Double nvlinkTxBps,
        Double nvlinkRxBps,
        Double pcieTxBps,
        Double pcieRxBps,
        Origin origin,
        Source source,
        String serial,
        String driverVersion,
        Double coreVoltageV,
        Double dramActivePct,
        Double powerThrottleSeconds,
        Double thermalThrottleSeconds,
        Double hwThrottleSeconds,
        Double swThrottleSeconds,
        Long pcieReplays,
        Long pcieCorrectableErrors,
        Long pcieUncorrectableErrors,
        Long remappedRowsCorrectable,
        Long remappedRowsUncorrectable,
        Boolean rowRemapPending,
        Boolean rowRemapFailed) implements TelemetryRecord {

    /** Whether the device answered; {@code LOST} is NVML's GPU_IS_LOST (fell off the bus). */
    public enum GpuState { OK, LOST }

    /**
     * Who measured the sample: in band on the host ({@code NVML}, {@code DCGM}) or out of band by the baseboard's
     * BMC ({@code REDFISH}). Both describe the same device when {@code uuid} (or {@code serial}) is the same.
     */
    public enum Source { NVML, DCGM, REDFISH }

    /** The fields every GPU sample had before out-of-band readings were added; the new ones are absent. */
    public GpuSample(long ts, String cluster, String row, String rack, String host, Integer gpu, Integer migInstance,
                     String uuid, String model, String jobId, Integer rank, String pod, String namespace,
                     String container, GpuState state, Double gpuUtilPct, Double smActivePct, Double tensorActivePct,
                     Double memUsedMiB, Double memTotalMiB, Double gpuTempC, Double memTempC, Double slowdownTempC,
                     Double shutdownTempC, Double powerW, Double powerLimitW, Double energyJ, Double smClockMHz,
                     Double memClockMHz, Long clockEventReasons, List<String> clockEventNames, Long eccCorrected,
                     Long eccUncorrected, Integer lastXid, Double nvlinkTxBps, Double nvlinkRxBps, Double pcieTxBps,
                     Double pcieRxBps, Origin origin) {
        this(ts, cluster, row, rack, host, gpu, migInstance, uuid, model, jobId, rank, pod, namespace, container,
                state, gpuUtilPct, smActivePct, tensorActivePct, memUsedMiB, memTotalMiB, gpuTempC, memTempC,
                slowdownTempC, shutdownTempC, powerW, powerLimitW, energyJ, smClockMHz, memClockMHz,
                clockEventReasons, clockEventNames, eccCorrected, eccUncorrected, lastXid, nvlinkTxBps, nvlinkRxBps,
                pcieTxBps, pcieRxBps, origin, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    @Override
    @JsonProperty("schema")
    public Schema schema() {
        return Schema.GPU;
    }

    @Override
    @JsonIgnore
    public long eventTimeMs() {
        return ts;
    }

    /**
     * The identity of the device across samples: {@code cluster/host/gpu}, plus {@code /mig<id>} for a MIG instance
     * and {@code /bmc} for a BMC's reading of it. A BMC numbers GPUs by slot and the driver by PCI order, so the
     * same index may name two devices: out-of-band samples stay their own stream, never interleaved with NVML's or
     * DCGM's, and {@code uuid} (or {@code serial}) joins them where both exist.
     */
    @JsonIgnore
    public String gpuKey() {
        return cluster + "/" + host + "/" + gpu + (migInstance == null ? "" : "/mig" + migInstance)
                + (source == Source.REDFISH ? "/bmc" : "");
    }

    /** Whether any thermal clock-event reason (SW or HW thermal slowdown) is set. */
    @JsonIgnore
    public boolean thermalThrottled() {
        return clockEventReasons != null && (clockEventReasons & ClockEventReason.THERMAL_MASK) != 0;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder, because a collector fills a sample field by field as the device answers. */
    public static final class Builder {
        private long ts;
        private String cluster, row, rack, host, uuid, model, jobId, pod, namespace, container;
        private Integer gpu, migInstance, rank, lastXid;
        private GpuState state;
        private Double gpuUtilPct, smActivePct, tensorActivePct, memUsedMiB, memTotalMiB, gpuTempC, memTempC,
                slowdownTempC, shutdownTempC, powerW, powerLimitW, energyJ, smClockMHz, memClockMHz,
                nvlinkTxBps, nvlinkRxBps, pcieTxBps, pcieRxBps;
        private Long clockEventReasons, eccCorrected, eccUncorrected;
        private List<String> clockEventNames;
        private Origin origin;
        private Source source;
        private String serial, driverVersion;
        private Double coreVoltageV, dramActivePct, powerThrottleSeconds, thermalThrottleSeconds, hwThrottleSeconds,
                swThrottleSeconds;
        private Long pcieReplays, pcieCorrectableErrors, pcieUncorrectableErrors, remappedRowsCorrectable,
                remappedRowsUncorrectable;
        private Boolean rowRemapPending, rowRemapFailed;

        private Builder() {}

        private Builder(GpuSample s) {
            ts = s.ts; cluster = s.cluster; row = s.row; rack = s.rack; host = s.host; gpu = s.gpu;
            migInstance = s.migInstance; uuid = s.uuid;
            model = s.model; jobId = s.jobId; rank = s.rank; pod = s.pod; namespace = s.namespace;
            container = s.container; state = s.state; gpuUtilPct = s.gpuUtilPct;
            smActivePct = s.smActivePct; tensorActivePct = s.tensorActivePct; memUsedMiB = s.memUsedMiB;
            memTotalMiB = s.memTotalMiB; gpuTempC = s.gpuTempC; memTempC = s.memTempC; slowdownTempC = s.slowdownTempC;
            shutdownTempC = s.shutdownTempC; powerW = s.powerW; powerLimitW = s.powerLimitW; energyJ = s.energyJ;
            smClockMHz = s.smClockMHz; memClockMHz = s.memClockMHz; clockEventReasons = s.clockEventReasons;
            clockEventNames = s.clockEventNames; eccCorrected = s.eccCorrected; eccUncorrected = s.eccUncorrected;
            lastXid = s.lastXid; nvlinkTxBps = s.nvlinkTxBps; nvlinkRxBps = s.nvlinkRxBps; pcieTxBps = s.pcieTxBps;
            pcieRxBps = s.pcieRxBps; origin = s.origin; source = s.source; serial = s.serial;
            driverVersion = s.driverVersion; coreVoltageV = s.coreVoltageV; dramActivePct = s.dramActivePct;
            powerThrottleSeconds = s.powerThrottleSeconds; thermalThrottleSeconds = s.thermalThrottleSeconds;
            hwThrottleSeconds = s.hwThrottleSeconds; swThrottleSeconds = s.swThrottleSeconds;
            pcieReplays = s.pcieReplays; pcieCorrectableErrors = s.pcieCorrectableErrors;
            pcieUncorrectableErrors = s.pcieUncorrectableErrors; remappedRowsCorrectable = s.remappedRowsCorrectable;
            remappedRowsUncorrectable = s.remappedRowsUncorrectable; rowRemapPending = s.rowRemapPending;
            rowRemapFailed = s.rowRemapFailed;
        }

        public Builder ts(long v) { ts = v; return this; }
        public Builder cluster(String v) { cluster = v; return this; }
        public Builder row(String v) { row = v; return this; }
        public Builder rack(String v) { rack = v; return this; }
        public Builder host(String v) { host = v; return this; }
        public Builder gpu(Integer v) { gpu = v; return this; }
        /** The MIG GPU instance id, for a sample of one MIG instance of GPU {@code gpu}; null for a whole GPU. */
        public Builder migInstance(Integer v) { migInstance = v; return this; }
        public Builder uuid(String v) { uuid = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder jobId(String v) { jobId = v; return this; }
        public Builder rank(Integer v) { rank = v; return this; }
        /** The Kubernetes pod, namespace and container using the GPU, when the source knows them. */
        public Builder pod(String v) { pod = v; return this; }
        public Builder namespace(String v) { namespace = v; return this; }
        public Builder container(String v) { container = v; return this; }
        public Builder state(GpuState v) { state = v; return this; }
        public Builder gpuUtilPct(Double v) { gpuUtilPct = v; return this; }
        public Builder smActivePct(Double v) { smActivePct = v; return this; }
        public Builder tensorActivePct(Double v) { tensorActivePct = v; return this; }
        public Builder memUsedMiB(Double v) { memUsedMiB = v; return this; }
        public Builder memTotalMiB(Double v) { memTotalMiB = v; return this; }
        public Builder gpuTempC(Double v) { gpuTempC = v; return this; }
        public Builder memTempC(Double v) { memTempC = v; return this; }
        public Builder slowdownTempC(Double v) { slowdownTempC = v; return this; }
        public Builder shutdownTempC(Double v) { shutdownTempC = v; return this; }
        public Builder powerW(Double v) { powerW = v; return this; }
        public Builder powerLimitW(Double v) { powerLimitW = v; return this; }
        public Builder energyJ(Double v) { energyJ = v; return this; }
        public Builder smClockMHz(Double v) { smClockMHz = v; return this; }
        public Builder memClockMHz(Double v) { memClockMHz = v; return this; }
        /** Sets the bitmask and its decoded names together, so they cannot disagree. */
        public Builder clockEventReasons(Long mask) {
            clockEventReasons = mask;
            clockEventNames = mask == null ? null : ClockEventReason.decode(mask);
            return this;
        }
        public Builder eccCorrected(Long v) { eccCorrected = v; return this; }
        public Builder eccUncorrected(Long v) { eccUncorrected = v; return this; }
        public Builder lastXid(Integer v) { lastXid = v; return this; }
        public Builder nvlinkTxBps(Double v) { nvlinkTxBps = v; return this; }
        public Builder nvlinkRxBps(Double v) { nvlinkRxBps = v; return this; }
        public Builder pcieTxBps(Double v) { pcieTxBps = v; return this; }
        public Builder pcieRxBps(Double v) { pcieRxBps = v; return this; }
        public Builder origin(Origin v) { origin = v; return this; }
        public Builder source(Source v) { source = v; return this; }
        /** The board serial number, as the BMC or NVML reports it: with {@code uuid}, the device's identity across sources. */
        public Builder serial(String v) { serial = v; return this; }
        public Builder driverVersion(String v) { driverVersion = v; return this; }
        public Builder coreVoltageV(Double v) { coreVoltageV = v; return this; }
        public Builder dramActivePct(Double v) { dramActivePct = v; return this; }
        /** Cumulative seconds the clocks were held down for the power limit (a counter since driver load or BMC boot). */
        public Builder powerThrottleSeconds(Double v) { powerThrottleSeconds = v; return this; }
        public Builder thermalThrottleSeconds(Double v) { thermalThrottleSeconds = v; return this; }
        public Builder hwThrottleSeconds(Double v) { hwThrottleSeconds = v; return this; }
        public Builder swThrottleSeconds(Double v) { swThrottleSeconds = v; return this; }
        public Builder pcieReplays(Long v) { pcieReplays = v; return this; }
        public Builder pcieCorrectableErrors(Long v) { pcieCorrectableErrors = v; return this; }
        public Builder pcieUncorrectableErrors(Long v) { pcieUncorrectableErrors = v; return this; }
        public Builder remappedRowsCorrectable(Long v) { remappedRowsCorrectable = v; return this; }
        public Builder remappedRowsUncorrectable(Long v) { remappedRowsUncorrectable = v; return this; }
        public Builder rowRemapPending(Boolean v) { rowRemapPending = v; return this; }
        public Builder rowRemapFailed(Boolean v) { rowRemapFailed = v; return this; }

        public GpuSample build() {
            return new GpuSample(ts, cluster, row, rack, host, gpu, migInstance, uuid, model, jobId, rank, pod, namespace,
                    container, state, gpuUtilPct,
                    smActivePct, tensorActivePct, memUsedMiB, memTotalMiB, gpuTempC, memTempC, slowdownTempC,
                    shutdownTempC, powerW, powerLimitW, energyJ, smClockMHz, memClockMHz, clockEventReasons,
                    clockEventNames == null ? null : List.copyOf(clockEventNames), eccCorrected, eccUncorrected,
                    lastXid, nvlinkTxBps, nvlinkRxBps, pcieTxBps, pcieRxBps, origin, source, serial, driverVersion,
                    coreVoltageV, dramActivePct, powerThrottleSeconds, thermalThrottleSeconds, hwThrottleSeconds,
                    swThrottleSeconds, pcieReplays, pcieCorrectableErrors, pcieUncorrectableErrors,
                    remappedRowsCorrectable, remappedRowsUncorrectable, rowRemapPending, rowRemapFailed);
        }
    }
}
