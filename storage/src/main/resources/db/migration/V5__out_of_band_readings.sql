-- Readings from BMCs (Redfish) and the fuller dcgm-exporter mapping: who measured a GPU sample, its serial,
-- throttle time, PCIe and HBM row-remap health; a power supply's output, input voltage and efficiency; each leak
-- detector's name and state. All nullable: a source that does not measure a reading leaves it NULL.
ALTER TABLE gpu_sample
    ADD COLUMN source                      text,
    ADD COLUMN serial                      text,
    ADD COLUMN driver_version              text,
    ADD COLUMN core_voltage_v              real,
    ADD COLUMN dram_active_pct             real,
    ADD COLUMN power_throttle_s            double precision,
    ADD COLUMN thermal_throttle_s          double precision,
    ADD COLUMN hw_throttle_s               double precision,
    ADD COLUMN sw_throttle_s               double precision,
    ADD COLUMN pcie_replays                bigint,
    ADD COLUMN pcie_correctable_errors     bigint,
    ADD COLUMN pcie_uncorrectable_errors   bigint,
    ADD COLUMN remapped_rows_correctable   bigint,
    ADD COLUMN remapped_rows_uncorrectable bigint,
    ADD COLUMN row_remap_pending           boolean,
    ADD COLUMN row_remap_failed            boolean;

ALTER TABLE power_sample
    ADD COLUMN output_power_w  real,
    ADD COLUMN input_voltage_v real,
    ADD COLUMN efficiency_pct  real;

-- [{"name": "...", "state": "OK|WARNING|CRITICAL"}, ...]
ALTER TABLE cooling_sample ADD COLUMN leak_detectors jsonb;
