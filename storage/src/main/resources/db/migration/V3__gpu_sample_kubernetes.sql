-- Kubernetes attribution of a GPU sample (dcgm-exporter's pod, namespace and container labels).
ALTER TABLE gpu_sample ADD COLUMN pod text, ADD COLUMN namespace text, ADD COLUMN container text;
