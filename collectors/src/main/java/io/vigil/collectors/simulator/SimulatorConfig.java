package io.vigil.collectors.simulator;

import java.time.Duration;

/**
 * Shape and pace of the simulated data center. Defaults: 2 rows x 8 racks x 4 hosts x 8 GPUs = 512 GPUs, one CDU
 * per 4 racks, four training jobs, 1 Hz.
 *
 * @param speed how much faster than wall-clock time simulated time runs (1 = real time; tests use more)
 */
public record SimulatorConfig(
        String cluster,
        int rows,
        int racksPerRow,
        int hostsPerRack,
        int gpusPerHost,
        int racksPerCdu,
        int jobs,
        Duration interval,
        double speed,
        long seed,
        String collectorId) {

    public SimulatorConfig {
        require(cluster != null && !cluster.isBlank(), "cluster must be named");
        require(rows >= 1 && rows <= 26, "rows must be 1..26, was " + rows);
        require(racksPerRow >= 1, "racksPerRow must be >= 1, was " + racksPerRow);
        require(hostsPerRack >= 1, "hostsPerRack must be >= 1, was " + hostsPerRack);
        require(gpusPerHost >= 1 && gpusPerHost <= 16, "gpusPerHost must be 1..16, was " + gpusPerHost);
        require(racksPerCdu >= 1, "racksPerCdu must be >= 1, was " + racksPerCdu);
        require(jobs >= 0, "jobs must be >= 0, was " + jobs);
        require(interval != null && !interval.isNegative() && !interval.isZero(), "interval must be positive");
        require(speed > 0 && speed <= 1000, "speed must be in (0, 1000], was " + speed);
        require(collectorId != null && !collectorId.isBlank(), "collectorId must be set");
    }

    public static SimulatorConfig defaults() {
        return new SimulatorConfig("demo", 2, 8, 4, 8, 4, 4, Duration.ofSeconds(1), 1.0, 42L, "simulator-1");
    }

    /**
     * A copy of this configuration sized to about {@code hosts} hosts: racks of 4 hosts, rows of 8 racks, longer
     * rows once 26 rows (A–Z) would not hold them, preferring a row length that fills every row — 2,048 hosts
     * (16,384 GPUs) make 16 rows of 32 racks.
     */
    public SimulatorConfig withHosts(int hosts) {
        int perRack = Math.min(4, hosts);
        int racks = (hosts + perRack - 1) / perRack;
        int perRow = Math.min(8, racks);
        if ((racks + perRow - 1) / perRow > 26) {
            int least = (racks + 25) / 26;
            perRow = least;
            for (int candidate = least; candidate <= 2 * least; candidate++) {
                if (racks % candidate == 0) {
                    perRow = candidate;
                    break;
                }
            }
        }
        int rowCount = (racks + perRow - 1) / perRow;
        return new SimulatorConfig(cluster, rowCount, perRow, perRack, gpusPerHost, racksPerCdu, jobs, interval,
                speed, seed, collectorId);
    }

    public SimulatorConfig withSpeed(double newSpeed) {
        return new SimulatorConfig(cluster, rows, racksPerRow, hostsPerRack, gpusPerHost, racksPerCdu, jobs, interval,
                newSpeed, seed, collectorId);
    }

    public SimulatorConfig withJobs(int newJobs) {
        return new SimulatorConfig(cluster, rows, racksPerRow, hostsPerRack, gpusPerHost, racksPerCdu, newJobs,
                interval, speed, seed, collectorId);
    }

    public int hosts() {
        return rows * racksPerRow * hostsPerRack;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("simulator: " + message);
        }
    }
}
