-- Capacity questions read power by time range over every PDU: index it by source and time. (The hourly rollup
-- has its bucket index from V8, copied with the table.)
CREATE INDEX power_sample_source_ts_idx ON power_sample (source, ts);
