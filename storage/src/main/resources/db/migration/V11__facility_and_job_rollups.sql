-- Rollups beyond the GPU: per power device (PDU, power shelf) and per cooling device (CDU, rack cooler), kept by
-- the writer additively in the batch's transaction like gpu_rollup_*; and per rack and per job, derived from the
-- per-device and per-GPU minute rollups by the writer's rollup refresh (RollupRefresher).
--
-- Why derived rather than additive: a rack's power in a minute is the sum of its devices' (or GPUs') mean power
-- in that minute, and a mean of a sum is not a sum of partial means. So the writer marks every minute a batch
-- touched (rollup_invalidation, in the batch's transaction) and the refresh recomputes those minutes whole from the
-- source rollups, then the hours that contain them from the derived minutes. A late sample invalidates its minute
-- again; after the next refresh the derived rows equal SQL over the source rollups (and so over the raw rows).

CREATE TABLE power_rollup_1m (
    bucket       timestamptz      NOT NULL,
    cluster      text             NOT NULL,
    source       text             NOT NULL,
    device       text             NOT NULL,
    row_name     text,
    rack         text,
    samples      integer          NOT NULL,
    power_sum    double precision NOT NULL,
    power_n      integer          NOT NULL,
    power_max    double precision,
    capacity_max double precision,
    PRIMARY KEY (cluster, source, device, bucket)
);
CREATE INDEX power_rollup_1m_bucket_idx ON power_rollup_1m (bucket);
CREATE TABLE power_rollup_1h (LIKE power_rollup_1m INCLUDING ALL);

-- Heat removed is computed per sample (kW = L/min / 60 × 4.18 kJ/(kg·K) × ΔT, water at about 1 kg/L), then
-- summed, so its mean is the mean of the per-sample heat, as SQL over the raw rows gives it.
CREATE TABLE cooling_rollup_1m (
    bucket       timestamptz      NOT NULL,
    cluster      text             NOT NULL,
    source       text             NOT NULL,
    device       text             NOT NULL,
    row_name     text,
    rack         text,
    samples      integer          NOT NULL,
    supply_sum   double precision NOT NULL,
    supply_n     integer          NOT NULL,
    supply_max   double precision,
    return_sum   double precision NOT NULL,
    return_n     integer          NOT NULL,
    delta_t_sum  double precision NOT NULL,
    delta_t_n    integer          NOT NULL,
    flow_sum     double precision NOT NULL,
    flow_n       integer          NOT NULL,
    flow_min     double precision,
    heat_kw_sum  double precision NOT NULL,
    heat_kw_n    integer          NOT NULL,
    heat_kw_max  double precision,
    leak_samples integer          NOT NULL,
    PRIMARY KEY (cluster, source, device, bucket)
);
CREATE INDEX cooling_rollup_1m_bucket_idx ON cooling_rollup_1m (bucket);
CREATE TABLE cooling_rollup_1h (LIKE cooling_rollup_1m INCLUDING ALL);

-- Minutes whose source rollups changed since the last refresh.
CREATE TABLE rollup_invalidation (
    bucket timestamptz PRIMARY KEY
);

-- Per rack and minute: the rack PDUs' load (sum of each PDU's mean in the minute) against their capacity, and the
-- rack's GPUs (sum of each GPU's mean power). rack is '' for devices and GPUs without one.
CREATE TABLE rack_power_1m (
    bucket            timestamptz      NOT NULL,
    cluster           text             NOT NULL,
    rack              text             NOT NULL,
    row_name          text,
    pdus              integer          NOT NULL,
    pdu_power_w       double precision,
    pdu_capacity_w    double precision,
    gpus              integer          NOT NULL,
    gpu_power_w       double precision,
    gpu_temp_max_c    double precision,
    gpu_util_mean_pct double precision,
    PRIMARY KEY (cluster, rack, bucket)
);
CREATE INDEX rack_power_1m_bucket_idx ON rack_power_1m (bucket);

-- Per rack and hour, from its minutes: the mean and the peak of the minute values.
CREATE TABLE rack_power_1h (
    bucket            timestamptz      NOT NULL,
    cluster           text             NOT NULL,
    rack              text             NOT NULL,
    row_name          text,
    minutes           integer          NOT NULL,
    pdu_power_mean_w  double precision,
    pdu_power_peak_w  double precision,
    pdu_capacity_w    double precision,
    gpus_max          integer          NOT NULL,
    gpu_power_mean_w  double precision,
    gpu_power_peak_w  double precision,
    gpu_temp_max_c    double precision,
    gpu_util_mean_pct double precision,
    PRIMARY KEY (cluster, rack, bucket)
);
CREATE INDEX rack_power_1h_bucket_idx ON rack_power_1h (bucket);

-- Per job and minute, from the GPU minutes that carried the job: GPUs, energy (each GPU's mean power × 60 s),
-- utilisation (sum and count of the GPUs' means), GPUs idle (mean utilisation under 5 %).
CREATE TABLE job_rollup_1m (
    bucket    timestamptz      NOT NULL,
    cluster   text             NOT NULL,
    job_id    text             NOT NULL,
    gpus      integer          NOT NULL,
    power_w   double precision NOT NULL,
    energy_j  double precision NOT NULL,
    util_sum  double precision NOT NULL,
    util_n    integer          NOT NULL,
    idle_gpus integer          NOT NULL,
    PRIMARY KEY (cluster, job_id, bucket)
);
CREATE INDEX job_rollup_1m_bucket_idx ON job_rollup_1m (bucket);

-- Per job and hour, from its minutes.
CREATE TABLE job_rollup_1h (
    bucket           timestamptz      NOT NULL,
    cluster          text             NOT NULL,
    job_id           text             NOT NULL,
    minutes          integer          NOT NULL,
    gpu_minutes      integer          NOT NULL,
    gpus_max         integer          NOT NULL,
    power_peak_w     double precision NOT NULL,
    energy_j         double precision NOT NULL,
    util_sum         double precision NOT NULL,
    util_n           integer          NOT NULL,
    idle_gpu_minutes integer          NOT NULL,
    PRIMARY KEY (cluster, job_id, bucket)
);
CREATE INDEX job_rollup_1h_bucket_idx ON job_rollup_1h (bucket);

-- Existing databases: the device rollups from the raw rows still kept, and every minute with a source rollup
-- marked, so the first refresh derives the rack and job rows. Buckets are UTC minutes and hours, as the writer's.
INSERT INTO power_rollup_1m
SELECT date_trunc('minute', ts, 'UTC'), cluster, source, device, max(row_name), max(rack), count(*),
       COALESCE(sum(power_w::double precision), 0), count(power_w), max(power_w), max(capacity_w)
FROM power_sample GROUP BY 1, 2, 3, 4;
INSERT INTO power_rollup_1h
SELECT date_trunc('hour', ts, 'UTC'), cluster, source, device, max(row_name), max(rack), count(*),
       COALESCE(sum(power_w::double precision), 0), count(power_w), max(power_w), max(capacity_w)
FROM power_sample GROUP BY 1, 2, 3, 4;
INSERT INTO cooling_rollup_1m
SELECT date_trunc('minute', ts, 'UTC'), cluster, source, device, max(row_name), max(rack), count(*),
       COALESCE(sum(supply_temp_c::double precision), 0), count(supply_temp_c), max(supply_temp_c),
       COALESCE(sum(return_temp_c::double precision), 0), count(return_temp_c),
       COALESCE(sum(return_temp_c::double precision - supply_temp_c), 0), count(return_temp_c - supply_temp_c),
       COALESCE(sum(flow_lpm::double precision), 0), count(flow_lpm), min(flow_lpm),
       COALESCE(sum(flow_lpm::double precision / 60.0 * 4.18 * (return_temp_c - supply_temp_c)), 0),
       count(flow_lpm / 60.0 * 4.18 * (return_temp_c - supply_temp_c)),
       max(flow_lpm::double precision / 60.0 * 4.18 * (return_temp_c - supply_temp_c)),
       count(*) FILTER (WHERE leak_detected)
FROM cooling_sample GROUP BY 1, 2, 3, 4;
INSERT INTO cooling_rollup_1h
SELECT date_trunc('hour', ts, 'UTC'), cluster, source, device, max(row_name), max(rack), count(*),
       COALESCE(sum(supply_temp_c::double precision), 0), count(supply_temp_c), max(supply_temp_c),
       COALESCE(sum(return_temp_c::double precision), 0), count(return_temp_c),
       COALESCE(sum(return_temp_c::double precision - supply_temp_c), 0), count(return_temp_c - supply_temp_c),
       COALESCE(sum(flow_lpm::double precision), 0), count(flow_lpm), min(flow_lpm),
       COALESCE(sum(flow_lpm::double precision / 60.0 * 4.18 * (return_temp_c - supply_temp_c)), 0),
       count(flow_lpm / 60.0 * 4.18 * (return_temp_c - supply_temp_c)),
       max(flow_lpm::double precision / 60.0 * 4.18 * (return_temp_c - supply_temp_c)),
       count(*) FILTER (WHERE leak_detected)
FROM cooling_sample GROUP BY 1, 2, 3, 4;
INSERT INTO rollup_invalidation (bucket)
SELECT bucket FROM gpu_rollup_1m UNION SELECT bucket FROM power_rollup_1m;

-- Stable, documented views for Grafana (README, "Grafana"): means computed, names with units.
CREATE VIEW vigil_pdu_1m AS
SELECT bucket AS time, cluster, row_name, rack, source, device, samples,
       power_sum / NULLIF(power_n, 0) AS power_mean_w, power_max AS power_max_w, capacity_max AS capacity_w
FROM power_rollup_1m;
CREATE VIEW vigil_pdu_1h AS
SELECT bucket AS time, cluster, row_name, rack, source, device, samples,
       power_sum / NULLIF(power_n, 0) AS power_mean_w, power_max AS power_max_w, capacity_max AS capacity_w
FROM power_rollup_1h;

CREATE VIEW vigil_cdu_1m AS
SELECT bucket AS time, cluster, row_name, rack, source, device, samples,
       supply_sum / NULLIF(supply_n, 0) AS supply_mean_c, supply_max AS supply_max_c,
       return_sum / NULLIF(return_n, 0) AS return_mean_c, delta_t_sum / NULLIF(delta_t_n, 0) AS delta_t_mean_c,
       flow_sum / NULLIF(flow_n, 0) AS flow_mean_lpm, flow_min AS flow_min_lpm,
       heat_kw_sum / NULLIF(heat_kw_n, 0) AS heat_mean_kw, heat_kw_max AS heat_max_kw, leak_samples
FROM cooling_rollup_1m;
CREATE VIEW vigil_cdu_1h AS
SELECT bucket AS time, cluster, row_name, rack, source, device, samples,
       supply_sum / NULLIF(supply_n, 0) AS supply_mean_c, supply_max AS supply_max_c,
       return_sum / NULLIF(return_n, 0) AS return_mean_c, delta_t_sum / NULLIF(delta_t_n, 0) AS delta_t_mean_c,
       flow_sum / NULLIF(flow_n, 0) AS flow_mean_lpm, flow_min AS flow_min_lpm,
       heat_kw_sum / NULLIF(heat_kw_n, 0) AS heat_mean_kw, heat_kw_max AS heat_max_kw, leak_samples
FROM cooling_rollup_1h;

CREATE VIEW vigil_host_1m AS
SELECT bucket AS time, cluster, max(row_name) AS row_name, max(rack) AS rack, host, count(*) AS gpus,
       sum(power_sum / NULLIF(power_n, 0)) AS gpu_power_w, max(temp_max) AS gpu_temp_max_c,
       avg(util_sum / NULLIF(util_n, 0)) AS gpu_util_mean_pct
FROM gpu_rollup_1m GROUP BY bucket, cluster, host;
CREATE VIEW vigil_host_1h AS
SELECT bucket AS time, cluster, max(row_name) AS row_name, max(rack) AS rack, host, count(*) AS gpus,
       sum(power_sum / NULLIF(power_n, 0)) AS gpu_power_w, max(temp_max) AS gpu_temp_max_c,
       avg(util_sum / NULLIF(util_n, 0)) AS gpu_util_mean_pct
FROM gpu_rollup_1h GROUP BY bucket, cluster, host;

CREATE VIEW vigil_rack_1m AS
SELECT bucket AS time, cluster, row_name, rack, pdus, pdu_power_w, pdu_capacity_w,
       100 * pdu_power_w / NULLIF(pdu_capacity_w, 0) AS pdu_load_pct, gpus, gpu_power_w, gpu_temp_max_c,
       gpu_util_mean_pct
FROM rack_power_1m;
CREATE VIEW vigil_rack_1h AS
SELECT bucket AS time, cluster, row_name, rack, minutes, pdu_power_mean_w, pdu_power_peak_w, pdu_capacity_w,
       100 * pdu_power_peak_w / NULLIF(pdu_capacity_w, 0) AS pdu_peak_load_pct, gpus_max, gpu_power_mean_w,
       gpu_power_peak_w, gpu_temp_max_c, gpu_util_mean_pct
FROM rack_power_1h;

CREATE VIEW vigil_row_1m AS
SELECT bucket AS time, cluster, row_name, sum(pdu_power_w) AS pdu_power_w, sum(pdu_capacity_w) AS pdu_capacity_w,
       sum(gpus) AS gpus, sum(gpu_power_w) AS gpu_power_w
FROM rack_power_1m GROUP BY bucket, cluster, row_name;
CREATE VIEW vigil_row_1h AS
SELECT bucket AS time, cluster, row_name, sum(pdu_power_mean_w) AS pdu_power_mean_w,
       sum(pdu_capacity_w) AS pdu_capacity_w, sum(gpu_power_mean_w) AS gpu_power_mean_w
FROM rack_power_1h GROUP BY bucket, cluster, row_name;

CREATE VIEW vigil_cluster_1m AS
SELECT bucket AS time, cluster, sum(pdu_power_w) AS pdu_power_w, sum(pdu_capacity_w) AS pdu_capacity_w,
       sum(gpus) AS gpus, sum(gpu_power_w) AS gpu_power_w
FROM rack_power_1m GROUP BY bucket, cluster;
CREATE VIEW vigil_cluster_1h AS
SELECT bucket AS time, cluster, sum(pdu_power_mean_w) AS pdu_power_mean_w, sum(pdu_capacity_w) AS pdu_capacity_w,
       sum(gpu_power_mean_w) AS gpu_power_mean_w
FROM rack_power_1h GROUP BY bucket, cluster;

-- A job's owners: its latest START or RESIZE event.
CREATE VIEW vigil_job_owner AS
SELECT DISTINCT ON (cluster, job_id) cluster, job_id, name, team, account, namespace
FROM job_event WHERE kind <> 'END' ORDER BY cluster, job_id, ts DESC;

CREATE VIEW vigil_job_1m AS
SELECT j.bucket AS time, j.cluster, j.job_id, o.team, o.account, j.gpus, j.power_w, j.energy_j / 3.6e6 AS energy_kwh,
       j.util_sum / NULLIF(j.util_n, 0) AS util_mean_pct, j.idle_gpus
FROM job_rollup_1m j LEFT JOIN vigil_job_owner o ON o.cluster = j.cluster AND o.job_id = j.job_id;
CREATE VIEW vigil_job_1h AS
SELECT j.bucket AS time, j.cluster, j.job_id, o.team, o.account, j.gpus_max, j.gpu_minutes / 60.0 AS gpu_hours,
       j.power_peak_w, j.energy_j / 3.6e6 AS energy_kwh, j.util_sum / NULLIF(j.util_n, 0) AS util_mean_pct,
       j.idle_gpu_minutes / 60.0 AS idle_gpu_hours
FROM job_rollup_1h j LEFT JOIN vigil_job_owner o ON o.cluster = j.cluster AND o.job_id = j.job_id;
