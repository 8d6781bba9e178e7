-- A sample of one MIG instance carries its GPU instance id; whole-GPU samples leave it NULL.
ALTER TABLE gpu_sample ADD COLUMN mig_instance smallint;
