package io.vigil.collectors.simulator;

/** A fault the simulator can inject: each is one root cause as it shows in real telemetry. */
public sealed interface Fault {

    /** Short, stable description, used in logs and as the key of an active fault. */
    String describe();

    /** A failing cold plate: the GPU's thermal resistance doubles, it heats until it throttles. */
    record GpuThermalRunaway(String host, int gpu) implements Fault {
        public String describe() { return "thermal runaway on " + host + "/gpu" + gpu; }
    }

    /** One rank of a job runs at a lower clock (HW slowdown), so every other rank waits for it each step. */
    record Straggler(String jobId, int rank) implements Fault {
        public String describe() { return "straggler rank " + rank + " in " + jobId; }
    }

    /** A job hangs in a collective: every rank spins in NCCL (100% util, idle power) except rank 0, which is hung. */
    record SyncStall(String jobId) implements Fault {
        public String describe() { return "synchronization stall in " + jobId; }
    }

    /** A CDU loses coolant flow: its supply temperature climbs and the racks it feeds heat up. */
    record CduFlowLoss(String cdu) implements Fault {
        public String describe() { return "flow loss at " + cdu; }
    }

    /** A host's ranks fall behind (slow NIC, CPU or PCIe): its GPUs wait for data, the job's other ranks for them. */
    record HostStraggler(String host) implements Fault {
        public String describe() { return "host straggler " + host; }
    }

    /** Every rank of a job runs slower alike (a job-wide power cap, a slower dataset): not a straggler. */
    record JobSlowdown(String jobId) implements Fault {
        public String describe() { return "whole-job slowdown in " + jobId; }
    }

    /** Every rank of a job pauses, idle, as for a (long) checkpoint or evaluation: not a stall. */
    record CheckpointPause(String jobId) implements Fault {
        public String describe() { return "checkpoint pause in " + jobId; }
    }

    /** The job does not run: its GPUs are idle and unattributed (before it starts, after it ends). */
    record JobNotRunning(String jobId) implements Fault {
        public String describe() { return "job " + jobId + " not running"; }
    }

    /** One GPU's samples stop arriving (its exporter, or the GPU, is gone). */
    record GpuSilent(String host, int gpu) implements Fault {
        public String describe() { return "GPU silent " + host + "/gpu" + gpu; }
    }

    /** A whole host stops reporting (crashed, network down). */
    record HostSilent(String host) implements Fault {
        public String describe() { return "host silent " + host; }
    }

    /** The GPU fell off the bus: NVML reports it lost and it answers nothing else. */
    record GpuLost(String host, int gpu) implements Fault {
        public String describe() { return "GPU lost " + host + "/gpu" + gpu; }
    }

    /** The GPU reports XID {@code code} (the collector's last-XID value from then on). */
    record Xid(String host, int gpu, int code) implements Fault {
        public String describe() { return "XID " + code + " on " + host + "/gpu" + gpu; }
    }

    /** A rack's inlet air is at {@code tempC} (a failed CRAH, hot-aisle leak). */
    record RackInletHot(String rack, double tempC) implements Fault {
        public String describe() { return "rack inlet " + tempC + " C on " + rack; }
    }

    /** A rack draws {@code extraW} more than its GPUs explain (new hardware, a fault), near its PDU's capacity. */
    record PduOverload(String rack, double extraW) implements Fault {
        public String describe() { return "PDU overload on " + rack; }
    }

    /** A CDU's leak detector trips. */
    record CduLeak(String cdu) implements Fault {
        public String describe() { return "leak at " + cdu; }
    }
}
