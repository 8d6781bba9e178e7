package io.vigil.storage.writer;

import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;

/**
 * One batch's GPU samples summed per GPU and bucket (minute or hour), merged into {@code gpu_rollup_1m} and
 * {@code gpu_rollup_1h} by adding: sums and counts add, maxima and minima compare. Because the merge is additive and
 * runs in the batch's own transaction, a late sample joins its own bucket whenever it arrives and the rollups equal
 * SQL over the raw rows. Throttling is counted in samples per reason group (at one sample per second, seconds).
 */
final class GpuRollups extends BucketSums<GpuRollups.Key, GpuRollups.Sum> {

    static final String COLUMNS = "bucket, cluster, host, gpu, row_name, rack, job_id, samples, temp_sum, temp_n, "
            + "temp_max, power_sum, power_n, power_max, util_sum, util_n, sm_sum, sm_n, tensor_sum, tensor_n, "
            + "energy_min_j, energy_max_j, throttled_power, throttled_thermal, throttled_hw";

    static final long POWER_BITS = ClockEventReason.SW_POWER_CAP.bit() | ClockEventReason.HW_POWER_BRAKE_SLOWDOWN.bit();
    static final long THERMAL_BITS = ClockEventReason.THERMAL_MASK;
    static final long HW_BITS = ClockEventReason.HW_SLOWDOWN.bit();

    record Key(long bucket, String cluster, String host, int gpu) {}

    static final class Sum {
        String row, rack, job;
        int samples, tempN, powerN, utilN, smN, tensorN, thrPower, thrThermal, thrHw;
        double temp, power, util, sm, tensor;
        Double tempMax, powerMax, energyMin, energyMax;
    }

    private final long bucketMs;

    GpuRollups(long bucketMs) {
        this.bucketMs = bucketMs;
    }

    void add(GpuSample s) {
        if (s.migInstance() != null) return; // a MIG instance's power and heat are its whole GPU's
        Key k = new Key(Math.floorDiv(s.ts(), bucketMs) * bucketMs, s.cluster(), s.host(), s.gpu());
        Sum m = sums.computeIfAbsent(k, x -> new Sum());
        m.samples++;
        if (s.row() != null) m.row = s.row();
        if (s.rack() != null) m.rack = s.rack();
        if (s.jobId() != null) m.job = s.jobId();
        if (s.gpuTempC() != null) {
            m.temp += s.gpuTempC();
            m.tempN++;
            m.tempMax = max(m.tempMax, s.gpuTempC());
        }
        if (s.powerW() != null) {
            m.power += s.powerW();
            m.powerN++;
            m.powerMax = max(m.powerMax, s.powerW());
        }
        if (s.gpuUtilPct() != null) {
            m.util += s.gpuUtilPct();
            m.utilN++;
        }
        if (s.smActivePct() != null) {
            m.sm += s.smActivePct();
            m.smN++;
        }
        if (s.tensorActivePct() != null) {
            m.tensor += s.tensorActivePct();
            m.tensorN++;
        }
        if (s.energyJ() != null) {
            m.energyMin = m.energyMin == null ? s.energyJ() : Math.min(m.energyMin, s.energyJ());
            m.energyMax = max(m.energyMax, s.energyJ());
        }
        long reasons = s.clockEventReasons() == null ? 0 : s.clockEventReasons();
        if ((reasons & POWER_BITS) != 0) m.thrPower++;
        if ((reasons & THERMAL_BITS) != 0) m.thrThermal++;
        if ((reasons & HW_BITS) != 0) m.thrHw++;
    }

    @Override
    protected long bucketOf(Key key) {
        return key.bucket();
    }

    /** The sums as CSV rows for COPY, in {@link #COLUMNS} order. */
    StringBuilder csv() {
        StringBuilder out = new StringBuilder();
        sums.forEach((k, m) -> new CsvRow(out).time(k.bucket()).text(k.cluster()).text(k.host()).num(k.gpu())
                .text(m.row).text(m.rack).text(m.job).num(m.samples).num(m.temp).num(m.tempN).num(m.tempMax)
                .num(m.power).num(m.powerN).num(m.powerMax).num(m.util).num(m.utilN).num(m.sm).num(m.smN)
                .num(m.tensor).num(m.tensorN).num(m.energyMin).num(m.energyMax).num(m.thrPower).num(m.thrThermal)
                .num(m.thrHw).end());
        return out;
    }

    /** The merge of a staging table into {@code table}: additive. */
    static String mergeSql(String table, String staging) {
        return "INSERT INTO " + table + " AS r (" + COLUMNS + ") SELECT " + COLUMNS + " FROM " + staging
                + " ON CONFLICT (cluster, host, gpu, bucket) DO UPDATE SET "
                + "row_name = COALESCE(EXCLUDED.row_name, r.row_name), rack = COALESCE(EXCLUDED.rack, r.rack), "
                + "job_id = COALESCE(EXCLUDED.job_id, r.job_id), samples = r.samples + EXCLUDED.samples, "
                + "temp_sum = r.temp_sum + EXCLUDED.temp_sum, temp_n = r.temp_n + EXCLUDED.temp_n, "
                + "temp_max = GREATEST(r.temp_max, EXCLUDED.temp_max), "
                + "power_sum = r.power_sum + EXCLUDED.power_sum, power_n = r.power_n + EXCLUDED.power_n, "
                + "power_max = GREATEST(r.power_max, EXCLUDED.power_max), "
                + "util_sum = r.util_sum + EXCLUDED.util_sum, util_n = r.util_n + EXCLUDED.util_n, "
                + "sm_sum = r.sm_sum + EXCLUDED.sm_sum, sm_n = r.sm_n + EXCLUDED.sm_n, "
                + "tensor_sum = r.tensor_sum + EXCLUDED.tensor_sum, tensor_n = r.tensor_n + EXCLUDED.tensor_n, "
                + "energy_min_j = LEAST(r.energy_min_j, EXCLUDED.energy_min_j), "
                + "energy_max_j = GREATEST(r.energy_max_j, EXCLUDED.energy_max_j), "
                + "throttled_power = r.throttled_power + EXCLUDED.throttled_power, "
                + "throttled_thermal = r.throttled_thermal + EXCLUDED.throttled_thermal, "
                + "throttled_hw = r.throttled_hw + EXCLUDED.throttled_hw";
    }

    private static Double max(Double a, double b) {
        return a == null ? b : Math.max(a, b);
    }

}
