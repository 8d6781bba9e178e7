package io.vigil.collectors.simulator;

import java.util.ArrayList;
import java.util.List;

/** The simulated data center's layout: rows of racks, hosts in racks, CDUs feeding groups of racks, and jobs. */
public record ClusterTopology(List<Rack> racks, List<Host> hosts, List<Cdu> cdus, List<Job> jobs) {

    public record Rack(String row, String name, String cdu) {}

    public record Host(String row, String rack, String name, int gpus) {}

    public record Cdu(String name, List<String> racks) {}

    /** A training job on whole hosts; rank r runs on host {@code r / gpusPerHost}, GPU {@code r % gpusPerHost}. */
    public record Job(String jobId, List<String> hosts, int gpusPerHost, int checkpointEverySec, int checkpointSec,
                      int phaseOffsetSec) {
        public int worldSize() {
            return hosts.size() * gpusPerHost;
        }
    }

    public static ClusterTopology build(SimulatorConfig c) {
        List<Rack> racks = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        List<Cdu> cdus = new ArrayList<>();
        List<String> cduRacks = new ArrayList<>();
        int rackIndex = 0;
        for (int r = 0; r < c.rows(); r++) {
            String row = String.valueOf((char) ('A' + r));
            for (int k = 1; k <= c.racksPerRow(); k++) {
                String cdu = "CDU-" + (rackIndex / c.racksPerCdu() + 1);
                String rack = String.format("%s%02d", row, k);
                racks.add(new Rack(row, rack, cdu));
                cduRacks.add(rack);
                if (cduRacks.size() == c.racksPerCdu()) {
                    cdus.add(new Cdu(cdu, List.copyOf(cduRacks)));
                    cduRacks.clear();
                }
                for (int h = 1; h <= c.hostsPerRack(); h++) {
                    hosts.add(new Host(row, rack, rack + "-n" + h, c.gpusPerHost()));
                }
                rackIndex++;
            }
        }
        if (!cduRacks.isEmpty()) {
            cdus.add(new Cdu("CDU-" + (cdus.size() + 1), List.copyOf(cduRacks)));
        }
        return new ClusterTopology(List.copyOf(racks), List.copyOf(hosts), List.copyOf(cdus), jobs(c, hosts));
    }

    /** Jobs take contiguous hosts: a quarter, then an eighth each, ...; about a quarter of hosts stay idle. */
    private static List<Job> jobs(SimulatorConfig c, List<Host> hosts) {
        List<Job> jobs = new ArrayList<>();
        int next = 0;
        int total = hosts.size();
        for (int j = 0; j < c.jobs(); j++) {
            int size = Math.max(1, j == 0 ? total / 4 : total / 8);
            if (next + size > total) {
                break;
            }
            List<String> names = hosts.subList(next, next + size).stream().map(Host::name).toList();
            // Checkpoints every 4 to 7 minutes for 15 to 30 s, staggered between jobs.
            jobs.add(new Job("job-" + (j + 1), names, c.gpusPerHost(), 240 + 60 * (j % 4), 15 + 5 * (j % 4),
                    37 * j));
            next += size;
        }
        return List.copyOf(jobs);
    }
}
