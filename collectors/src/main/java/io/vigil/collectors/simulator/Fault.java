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
}
