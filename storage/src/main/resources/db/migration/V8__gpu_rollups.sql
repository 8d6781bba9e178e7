-- Per-GPU rollups, by minute and by hour, kept by the writer in the same transaction as the raw rows (and the
-- Kafka offsets): additive aggregates (sums, counts, max, min) merged per batch, so a late sample is added to its
-- own bucket whenever it arrives, and the rollups always equal SQL over the raw rows, late samples included.
-- Means are sum / count; the views below compute them.
CREATE TABLE gpu_rollup_1m (
    bucket            timestamptz      NOT NULL,
    cluster           text             NOT NULL,
    host              text             NOT NULL,
    gpu               integer          NOT NULL,
    row_name          text,
    rack              text,
    job_id            text,
    samples           integer          NOT NULL,
    temp_sum          double precision NOT NULL,
    temp_n            integer          NOT NULL,
    temp_max          double precision,
    power_sum         double precision NOT NULL,
    power_n           integer          NOT NULL,
    power_max         double precision,
    util_sum          double precision NOT NULL,
    util_n            integer          NOT NULL,
    sm_sum            double precision NOT NULL,
    sm_n              integer          NOT NULL,
    tensor_sum        double precision NOT NULL,
    tensor_n          integer          NOT NULL,
    energy_min_j      double precision,
    energy_max_j      double precision,
    throttled_power   integer          NOT NULL,
    throttled_thermal integer          NOT NULL,
    throttled_hw      integer          NOT NULL,
    PRIMARY KEY (cluster, host, gpu, bucket)
);
CREATE INDEX gpu_rollup_1m_bucket_idx ON gpu_rollup_1m (bucket);
CREATE TABLE gpu_rollup_1h (LIKE gpu_rollup_1m INCLUDING ALL);

-- Stable, documented views for dashboards and Grafana: one row per GPU and bucket, means computed.
CREATE VIEW vigil_gpu_1m AS
SELECT bucket AS time, cluster, row_name, rack, host, gpu, job_id, samples,
       temp_sum / NULLIF(temp_n, 0)     AS temp_mean_c,
       temp_max                         AS temp_max_c,
       power_sum / NULLIF(power_n, 0)   AS power_mean_w,
       power_max                        AS power_max_w,
       util_sum / NULLIF(util_n, 0)     AS util_mean_pct,
       sm_sum / NULLIF(sm_n, 0)         AS sm_active_mean_pct,
       tensor_sum / NULLIF(tensor_n, 0) AS tensor_active_mean_pct,
       energy_max_j - energy_min_j      AS energy_j,
       throttled_power                  AS throttled_power_samples,
       throttled_thermal                AS throttled_thermal_samples,
       throttled_hw                     AS throttled_hw_samples
FROM gpu_rollup_1m;

CREATE VIEW vigil_gpu_1h AS
SELECT bucket AS time, cluster, row_name, rack, host, gpu, job_id, samples,
       temp_sum / NULLIF(temp_n, 0)     AS temp_mean_c,
       temp_max                         AS temp_max_c,
       power_sum / NULLIF(power_n, 0)   AS power_mean_w,
       power_max                        AS power_max_w,
       util_sum / NULLIF(util_n, 0)     AS util_mean_pct,
       sm_sum / NULLIF(sm_n, 0)         AS sm_active_mean_pct,
       tensor_sum / NULLIF(tensor_n, 0) AS tensor_active_mean_pct,
       energy_max_j - energy_min_j      AS energy_j,
       throttled_power                  AS throttled_power_samples,
       throttled_thermal                AS throttled_thermal_samples,
       throttled_hw                     AS throttled_hw_samples
FROM gpu_rollup_1h;
