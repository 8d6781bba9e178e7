-- Raw GPU-sample size on TimescaleDB before and after compression: 256 GPUs x 1 hour at 1 Hz of synthetic but
-- realistically noisy samples, written by SQL. Run against a database Vigil has migrated (TimescaleDB path):
--   psql -h HOST -U vigil DB -f docs/bench/timescaledb-compression.sql
-- then compress and measure:
--   SELECT count(compress_chunk(c, true)) FROM show_chunks('gpu_sample') c;
--   SELECT hypertable_size('gpu_sample');
-- Results and the segmentby comparison are in docs/benchmarks.md.
\timing off
TRUNCATE gpu_sample;
SELECT decompress_chunk(c, true) FROM show_chunks('gpu_sample') c;
INSERT INTO gpu_sample (ts, cluster, row_name, rack, host, gpu, uuid, model, job_id, rank, state, gpu_util_pct, sm_active_pct,
  tensor_active_pct, mem_used_mib, mem_total_mib, gpu_temp_c, mem_temp_c, slowdown_temp_c, shutdown_temp_c, power_w,
  power_limit_w, energy_j, sm_clock_mhz, mem_clock_mhz, clock_event_reasons, ecc_corrected, ecc_uncorrected,
  nvlink_tx_bps, nvlink_rx_bps, pcie_tx_bps, pcie_rx_bps, origin_collector, origin_boot_ms, origin_seq)
SELECT now() - interval '3 hours' + s * interval '1 second', 'dc1', 'A', 'A' || lpad((h / 8)::text, 2, '0'),
  'host-' || h, g, 'GPU-' || h || '-' || g, 'NVIDIA H100 80GB HBM3', 'job-' || (h / 16), h * 8 + g, 'OK',
  99 - (random() * 2)::int, round((78 + random() * 4)::numeric, 1), round((52 + random() * 4)::numeric, 1), 71000 + (random() * 100)::int, 81559,
  round((65 + random() * 3)::numeric, 0), round((72 + random() * 3)::numeric, 0), 89, 92, round((640 + random() * 40)::numeric, 1), 700,
  1e9 + s * 650 + h, 1980, 2619, 0, 0, 0, 1.1e11 + (random() * 1e9)::bigint, 1.1e11 + (random() * 1e9)::bigint,
  2.7e9 + (random() * 1e8)::bigint, 2.7e9 + (random() * 1e8)::bigint, 'col-' || h, 1, s * 8 + g
FROM generate_series(0, 3599) s, generate_series(0, 31) h, generate_series(0, 7) g;
ANALYZE gpu_sample;
SELECT count(*) AS rows, pg_size_pretty(hypertable_size('gpu_sample')) AS size, hypertable_size('gpu_sample') AS bytes FROM gpu_sample;
