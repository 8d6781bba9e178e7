package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.GpuSamples;
import io.vigil.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-GPU rollups the writer keeps equal SQL over the raw rows, whatever order and batches the samples come
 * in: late samples (for buckets written long before), a sample delivered twice (counted twice in both, as raw
 * storage keeps it twice), missing fields, throttling, an hour boundary.
 */
class GpuRollupsITCase {

    DataSource db;

    @BeforeEach
    void freshDatabase() {
        db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
    }

    @Test
    void rollupsEqualSqlOverTheRawRowsLateAndRepeatedSamplesIncluded() throws Exception {
        Random random = new Random(7);
        // 150 minutes of 3 GPUs from half past an hour (so three hours), one sample every 10 s.
        long start = GpuSamples.T0 / 3_600_000 * 3_600_000 + 1_800_000;
        List<GpuSample> samples = new ArrayList<>();
        for (long ts = start; ts < start + 150 * 60_000L; ts += 10_000) {
            for (int g = 0; g < 3; g++) {
                GpuSample.Builder b = GpuSamples.healthy("h" + g, g, ts)
                        .gpuTempC(50 + random.nextInt(40) + random.nextDouble())
                        .powerW(random.nextInt(700) + 0.25)
                        .energyJ(1.0e9 + (ts - start) * 0.7 + g)
                        .clockEventReasons(random.nextInt(10) == 0 ? ClockEventReason.SW_THERMAL_SLOWDOWN.bit()
                                : random.nextInt(10) == 0 ? ClockEventReason.SW_POWER_CAP.bit() : 0L);
                if (random.nextInt(7) == 0) b.tensorActivePct(null).powerW(null); // fields some sources lack
                samples.add(b.build());
            }
        }
        // Delivered in batches of 200 in a shuffled order (late samples land in buckets written long before),
        // one sample twice.
        List<GpuSample> order = new ArrayList<>(samples);
        java.util.Collections.shuffle(order, random);
        order.add(order.get(17));
        for (int i = 0; i < order.size(); i += 200) {
            TelemetryBatch batch = new TelemetryBatch();
            order.subList(i, Math.min(order.size(), i + 200)).forEach(batch::add);
            try (Connection c = db.getConnection()) {
                batch.writeTo(c);
            }
        }

        for (String[] r : List.of(new String[] {"vigil_gpu_1m", "minute"}, new String[] {"vigil_gpu_1h", "hour"})) {
            List<Map<String, Object>> rollup = rows("SELECT time, host, gpu, samples, temp_mean_c, temp_max_c, "
                    + "power_mean_w, power_max_w, util_mean_pct, tensor_active_mean_pct, energy_j, "
                    + "throttled_power_samples, throttled_thermal_samples FROM " + r[0] + " ORDER BY time, host, gpu");
            List<Map<String, Object>> raw = rows("SELECT date_trunc('" + r[1] + "', ts) AS time, host, gpu, "
                    + "count(*) AS samples, avg(gpu_temp_c) AS temp_mean_c, max(gpu_temp_c) AS temp_max_c, "
                    + "avg(power_w) AS power_mean_w, max(power_w) AS power_max_w, avg(gpu_util_pct) AS util_mean_pct, "
                    + "avg(tensor_active_pct) AS tensor_active_mean_pct, max(energy_j) - min(energy_j) AS energy_j, "
                    + "count(*) FILTER (WHERE clock_event_reasons & " + (ClockEventReason.SW_POWER_CAP.bit()
                    | ClockEventReason.HW_POWER_BRAKE_SLOWDOWN.bit()) + " <> 0) AS throttled_power_samples, "
                    + "count(*) FILTER (WHERE clock_event_reasons & " + ClockEventReason.THERMAL_MASK
                    + " <> 0) AS throttled_thermal_samples "
                    + "FROM gpu_sample GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
            assertThat(rollup).as(r[0]).hasSameSizeAs(raw);
            for (int i = 0; i < raw.size(); i++) {
                Map<String, Object> want = raw.get(i);
                Map<String, Object> got = rollup.get(i);
                for (String col : want.keySet()) {
                    Object w = want.get(col);
                    Object g = got.get(col);
                    if (w instanceof Number wn && g instanceof Number gn) {
                        assertThat(gn.doubleValue()).as(r[0] + " " + col + " at " + want).isCloseTo(wn.doubleValue(),
                                within(1e-6 * Math.max(1, Math.abs(wn.doubleValue()))));
                    } else {
                        assertThat(String.valueOf(g)).as(r[0] + " " + col + " at " + want).isEqualTo(String.valueOf(w));
                    }
                }
            }
        }
        assertThat(rows("SELECT count(*) AS n FROM vigil_gpu_1h").get(0).get("n")).isEqualTo(9L); // 3 hours × 3 GPUs
    }

    List<Map<String, Object>> rows(String sql) throws Exception {
        return SqlRows.rows(db, sql);
    }
}
