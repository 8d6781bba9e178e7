package io.vigil.storage.writer;

import io.vigil.model.CoolingSample;
import io.vigil.model.PowerSample;

/**
 * One batch's power-device (PDU, power shelf, PSU) or cooling-device (CDU, rack cooler) samples summed per device
 * and bucket, merged into {@code power_rollup_*} or {@code cooling_rollup_*} by adding, as {@link GpuRollups} does
 * for GPUs: the rollups equal SQL over the raw rows, late samples included.
 */
final class DeviceRollups extends BucketSums<DeviceRollups.Key, DeviceRollups.Sum> {

    static final String POWER_COLUMNS = "bucket, cluster, source, device, row_name, rack, samples, power_sum, power_n, "
            + "power_max, capacity_max";
    static final String COOLING_COLUMNS = "bucket, cluster, source, device, row_name, rack, samples, supply_sum, "
            + "supply_n, supply_max, return_sum, return_n, delta_t_sum, delta_t_n, flow_sum, flow_n, flow_min, "
            + "heat_kw_sum, heat_kw_n, heat_kw_max, leak_samples";

    /** Water: about 4.18 kJ/(kg·K) and 1 kg/L, so kW = L/min / 60 × 4.18 × ΔT. */
    static double heatKw(double flowLpm, double deltaT) {
        return flowLpm / 60.0 * 4.18 * deltaT;
    }

    record Key(long bucket, String cluster, String source, String device) {}

    /** Sums for one device and bucket; the cooling fields stay zero for a power device and the other way round. */
    static final class Sum {
        String row, rack;
        int samples, powerN, supplyN, returnN, deltaN, flowN, heatN, leaks;
        double power, supply, ret, delta, flow, heat;
        Double powerMax, capacityMax, supplyMax, flowMin, heatMax;
    }

    private final boolean cooling;
    private final long bucketMs;

    private DeviceRollups(boolean cooling, long bucketMs) {
        this.cooling = cooling;
        this.bucketMs = bucketMs;
    }

    static DeviceRollups power(long bucketMs) {
        return new DeviceRollups(false, bucketMs);
    }

    static DeviceRollups cooling(long bucketMs) {
        return new DeviceRollups(true, bucketMs);
    }

    String columns() {
        return cooling ? COOLING_COLUMNS : POWER_COLUMNS;
    }

    private Sum sum(long ts, String cluster, String source, String device, String row, String rack) {
        Sum m = sums.computeIfAbsent(new Key(Math.floorDiv(ts, bucketMs) * bucketMs, cluster, source, device),
                k -> new Sum());
        m.samples++;
        if (row != null) m.row = row;
        if (rack != null) m.rack = rack;
        return m;
    }

    void add(PowerSample s) {
        Sum m = sum(s.ts(), s.cluster(), s.source().name(), s.device(), s.row(), s.rack());
        if (s.powerW() != null) {
            m.power += s.powerW();
            m.powerN++;
            m.powerMax = max(m.powerMax, s.powerW());
        }
        if (s.capacityW() != null) m.capacityMax = max(m.capacityMax, s.capacityW());
    }

    void add(CoolingSample s) {
        Sum m = sum(s.ts(), s.cluster(), s.source().name(), s.device(), s.row(), s.rack());
        Double supply = s.supplyTempC(), ret = s.returnTempC(), flow = s.flowLpm();
        if (supply != null) {
            m.supply += supply;
            m.supplyN++;
            m.supplyMax = max(m.supplyMax, supply);
        }
        if (ret != null) {
            m.ret += ret;
            m.returnN++;
        }
        if (supply != null && ret != null) {
            m.delta += ret - supply;
            m.deltaN++;
        }
        if (flow != null) {
            m.flow += flow;
            m.flowN++;
            m.flowMin = m.flowMin == null ? flow : Math.min(m.flowMin, flow);
        }
        if (flow != null && supply != null && ret != null) {
            double kw = heatKw(flow, ret - supply);
            m.heat += kw;
            m.heatN++;
            m.heatMax = max(m.heatMax, kw);
        }
        if (Boolean.TRUE.equals(s.leakDetected())) m.leaks++;
    }

    @Override
    protected long bucketOf(Key key) {
        return key.bucket();
    }

    /** The sums as CSV rows for COPY, in {@link #columns()} order. */
    StringBuilder csv() {
        StringBuilder out = new StringBuilder();
        sums.forEach((k, m) -> {
            CsvRow row = new CsvRow(out).time(k.bucket()).text(k.cluster()).text(k.source()).text(k.device())
                    .text(m.row).text(m.rack).num(m.samples);
            if (cooling) {
                row.num(m.supply).num(m.supplyN).num(m.supplyMax).num(m.ret).num(m.returnN).num(m.delta).num(m.deltaN)
                        .num(m.flow).num(m.flowN).num(m.flowMin).num(m.heat).num(m.heatN).num(m.heatMax).num(m.leaks);
            } else {
                row.num(m.power).num(m.powerN).num(m.powerMax).num(m.capacityMax);
            }
            row.end();
        });
        return out;
    }

    /** The additive merge of a staging table into {@code table}. */
    String mergeSql(String table, String staging) {
        String common = "row_name = COALESCE(EXCLUDED.row_name, r.row_name), rack = COALESCE(EXCLUDED.rack, r.rack), "
                + "samples = r.samples + EXCLUDED.samples, ";
        String set = cooling
                ? common + add("supply_sum") + add("supply_n") + greatest("supply_max") + add("return_sum")
                        + add("return_n") + add("delta_t_sum") + add("delta_t_n") + add("flow_sum") + add("flow_n")
                        + "flow_min = LEAST(r.flow_min, EXCLUDED.flow_min), " + add("heat_kw_sum") + add("heat_kw_n")
                        + greatest("heat_kw_max") + "leak_samples = r.leak_samples + EXCLUDED.leak_samples"
                : common + add("power_sum") + add("power_n") + greatest("power_max")
                        + "capacity_max = GREATEST(r.capacity_max, EXCLUDED.capacity_max)";
        return "INSERT INTO " + table + " AS r (" + columns() + ") SELECT " + columns() + " FROM " + staging
                + " ON CONFLICT (cluster, source, device, bucket) DO UPDATE SET " + set;
    }

    private static String add(String c) {
        return c + " = r." + c + " + EXCLUDED." + c + ", ";
    }

    private static String greatest(String c) {
        return c + " = GREATEST(r." + c + ", EXCLUDED." + c + "), ";
    }

    private static Double max(Double a, double b) {
        return a == null ? b : Math.max(a, b);
    }
}
