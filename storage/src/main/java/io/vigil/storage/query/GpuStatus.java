package io.vigil.storage.query;

import java.time.Instant;

/** The latest known state of one GPU, as the overview shows it. Null fields were not reported. */
public record GpuStatus(String cluster, String row, String rack, String host, int gpu, Instant ts, Double tempC,
                        Double slowdownTempC, Double powerW, Double utilPct, Double smClockMHz,
                        Long clockEventReasons, String jobId, Integer rank) {}
