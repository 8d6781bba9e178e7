package io.vigil.collectors.dcgm;

import io.vigil.model.GpuSample;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ObjDoubleConsumer;

/**
 * How dcgm-exporter's DCGM fields become GPU-sample fields, with their units: profiling ratios (0..1) become
 * percent, energy in mJ becomes J. Fields with no counterpart in the model are ignored.
 */
final class DcgmMetrics {

    /** Fields summed into the frame-buffer total: used + free + reserved. */
    static final String FB_USED = "DCGM_FI_DEV_FB_USED", FB_FREE = "DCGM_FI_DEV_FB_FREE",
            FB_RESERVED = "DCGM_FI_DEV_FB_RESERVED";

    private static final Map<String, ObjDoubleConsumer<GpuSample.Builder>> FIELDS = new HashMap<>();

    static {
        // A temperature of exactly 0 is DCGM's answer for a sensor the board does not have (the memory sensor of
        // GDDR boards such as T4, L4, L40S, A10): absent, not 0 °C. A running GPU in a data center is never at
        // 0 °C, so the rule costs no real reading.
        FIELDS.put("DCGM_FI_DEV_GPU_TEMP", (b, v) -> b.gpuTempC(v == 0 ? null : v));
        FIELDS.put("DCGM_FI_DEV_MEMORY_TEMP", (b, v) -> b.memTempC(v == 0 ? null : v));
        FIELDS.put("DCGM_FI_DEV_SLOWDOWN_TEMP", (b, v) -> b.slowdownTempC(v));
        FIELDS.put("DCGM_FI_DEV_SHUTDOWN_TEMP", (b, v) -> b.shutdownTempC(v));
        FIELDS.put("DCGM_FI_DEV_POWER_USAGE", (b, v) -> b.powerW(v));
        FIELDS.put("DCGM_FI_DEV_POWER_MGMT_LIMIT", (b, v) -> b.powerLimitW(v));
        FIELDS.put("DCGM_FI_DEV_ENFORCED_POWER_LIMIT", (b, v) -> b.powerLimitW(v));
        FIELDS.put("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", (b, v) -> b.energyJ(v / 1000.0));
        FIELDS.put("DCGM_FI_DEV_GPU_UTIL", (b, v) -> b.gpuUtilPct(v));
        FIELDS.put("DCGM_FI_PROF_SM_ACTIVE", (b, v) -> b.smActivePct(v * 100));
        FIELDS.put("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", (b, v) -> b.tensorActivePct(v * 100));
        FIELDS.put(FB_USED, (b, v) -> b.memUsedMiB(v));
        FIELDS.put("DCGM_FI_DEV_SM_CLOCK", (b, v) -> b.smClockMHz(v));
        FIELDS.put("DCGM_FI_DEV_MEM_CLOCK", (b, v) -> b.memClockMHz(v));
        FIELDS.put("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", (b, v) -> b.clockEventReasons((long) v));
        FIELDS.put("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", (b, v) -> b.clockEventReasons((long) v));
        FIELDS.put("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", (b, v) -> b.eccCorrected((long) v));
        FIELDS.put("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", (b, v) -> b.eccUncorrected((long) v));
        // 0 means "no XID since the driver loaded": absent, not an error code.
        FIELDS.put("DCGM_FI_DEV_XID_ERRORS", (b, v) -> b.lastXid(v == 0 ? null : (int) v));
        FIELDS.put("DCGM_FI_PROF_PCIE_TX_BYTES", (b, v) -> b.pcieTxBps(v));
        FIELDS.put("DCGM_FI_PROF_PCIE_RX_BYTES", (b, v) -> b.pcieRxBps(v));
        FIELDS.put("DCGM_FI_PROF_NVLINK_TX_BYTES", (b, v) -> b.nvlinkTxBps(v));
        FIELDS.put("DCGM_FI_PROF_NVLINK_RX_BYTES", (b, v) -> b.nvlinkRxBps(v));
        FIELDS.put("DCGM_FI_PROF_DRAM_ACTIVE", (b, v) -> b.dramActivePct(v * 100));
        FIELDS.put("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", (b, v) -> b.pcieReplays((long) v));
        FIELDS.put("DCGM_FI_DEV_ROW_REMAP_FAILURE", (b, v) -> b.rowRemapFailed(v != 0));
        FIELDS.put("DCGM_FI_DEV_ROW_REMAP_PENDING", (b, v) -> b.rowRemapPending(v != 0));
        FIELDS.put("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", (b, v) -> b.remappedRowsCorrectable((long) v));
        FIELDS.put("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", (b, v) -> b.remappedRowsUncorrectable((long) v));
        // Violation counters are in nanoseconds.
        FIELDS.put("DCGM_FI_DEV_POWER_VIOLATION", (b, v) -> b.powerThrottleSeconds(v / 1e9));
        FIELDS.put("DCGM_FI_DEV_THERMAL_VIOLATION", (b, v) -> b.thermalThrottleSeconds(v / 1e9));
    }

    private DcgmMetrics() {}

    /** Applies one field's value; returns false for a field the model has no place for. */
    static boolean apply(String field, double value, GpuSample.Builder builder) {
        ObjDoubleConsumer<GpuSample.Builder> setter = FIELDS.get(field);
        if (setter == null) {
            return false;
        }
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
            setter.accept(builder, value);
        }
        return true;
    }

    static boolean isMapped(String field) {
        return FIELDS.containsKey(field) || field.equals(FB_FREE) || field.equals(FB_RESERVED);
    }
}
