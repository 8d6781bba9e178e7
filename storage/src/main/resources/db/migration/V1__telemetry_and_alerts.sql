-- Wide rows, typed columns: one row per GPU per sample. COPY of such rows ingests several times faster than
-- narrow (metric, value) rows, and queries read one row per GPU instant instead of dozens.
CREATE TABLE gpu_sample (
    ts                  timestamptz      NOT NULL,
    cluster             text             NOT NULL,
    row_name            text,
    rack                text,
    host                text             NOT NULL,
    gpu                 smallint         NOT NULL,
    uuid                text,
    model               text,
    job_id              text,
    rank                integer,
    state               text,
    gpu_util_pct        real,
    sm_active_pct       real,
    tensor_active_pct   real,
    mem_used_mib        real,
    mem_total_mib       real,
    gpu_temp_c          real,
    mem_temp_c          real,
    slowdown_temp_c     real,
    shutdown_temp_c     real,
    power_w             real,
    power_limit_w       real,
    energy_j            double precision,
    sm_clock_mhz        real,
    mem_clock_mhz       real,
    clock_event_reasons bigint,
    ecc_corrected       bigint,
    ecc_uncorrected     bigint,
    last_xid            integer,
    nvlink_tx_bps       double precision,
    nvlink_rx_bps       double precision,
    pcie_tx_bps         double precision,
    pcie_rx_bps         double precision,
    origin_collector    text,
    origin_boot_ms      bigint,
    origin_seq          bigint
);
CREATE INDEX gpu_sample_ts_idx ON gpu_sample (ts DESC);
CREATE INDEX gpu_sample_gpu_ts_idx ON gpu_sample (cluster, host, gpu, ts DESC);

CREATE TABLE power_sample (
    ts               timestamptz NOT NULL,
    cluster          text        NOT NULL,
    row_name         text,
    rack             text,
    host             text,
    source           text        NOT NULL,
    device           text        NOT NULL,
    power_w          real,
    capacity_w       real,
    phase_current_a  real[],
    origin_collector text,
    origin_boot_ms   bigint,
    origin_seq       bigint
);
CREATE INDEX power_sample_device_ts_idx ON power_sample (cluster, device, ts DESC);

CREATE TABLE cooling_sample (
    ts                timestamptz NOT NULL,
    cluster           text        NOT NULL,
    row_name          text,
    rack              text,
    source            text        NOT NULL,
    device            text        NOT NULL,
    supply_temp_c     real,
    return_temp_c     real,
    flow_lpm          real,
    diff_pressure_kpa real,
    leak_detected     boolean,
    inlet_air_temp_c  real,
    outlet_air_temp_c real,
    fan_rpm           real[],
    serves_racks      text[],
    origin_collector  text,
    origin_boot_ms    bigint,
    origin_seq        bigint
);
CREATE INDEX cooling_sample_device_ts_idx ON cooling_sample (cluster, device, ts DESC);

CREATE TABLE job_event (
    ts               timestamptz NOT NULL,
    cluster          text        NOT NULL,
    job_id           text        NOT NULL,
    kind             text        NOT NULL,
    name             text,
    team             text,
    ranks            jsonb,
    origin_collector text,
    origin_boot_ms   bigint,
    origin_seq       bigint
);
CREATE INDEX job_event_job_idx ON job_event (cluster, job_id, ts DESC);

-- One row per alert episode: a firing event inserts it, the resolved event with the same fingerprint and
-- start closes it. Replaying either event changes nothing, so the writer may deliver at least once.
CREATE TABLE alert (
    fingerprint text        NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz,
    state       text        NOT NULL,
    type        text        NOT NULL,
    severity    text        NOT NULL,
    labels      jsonb       NOT NULL,
    summary     text,
    evidence    jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (fingerprint, starts_at)
);
CREATE INDEX alert_state_idx ON alert (state, starts_at DESC);
