package io.vigil.collectors.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The faults a simulation runs through, by time since start. */
public record FaultScript(List<ScheduledFault> faults) {

    public FaultScript {
        faults = List.copyOf(faults);
    }

    public static FaultScript none() {
        return new FaultScript(List.of());
    }

    /**
     * The demo's script: one of each fault kind, the first early enough that a newcomer sees an alert within the
     * first minutes. Names refer to the default topology (host {@code A02-n1}, job {@code job-2}, {@code CDU-2}).
     */
    public static FaultScript demo(ClusterTopology topology) {
        List<ScheduledFault> list = new ArrayList<>();
        String thermalHost = topology.hosts().get(Math.min(4, topology.hosts().size() - 1)).name();
        list.add(new ScheduledFault(Duration.ofSeconds(20), Duration.ofMinutes(4),
                new Fault.GpuThermalRunaway(thermalHost, 3)));
        if (topology.jobs().size() > 1) {
            list.add(new ScheduledFault(Duration.ofMinutes(3), Duration.ofMinutes(4),
                    new Fault.Straggler(topology.jobs().get(1).jobId(), 5)));
        }
        if (topology.jobs().size() > 2) {
            list.add(new ScheduledFault(Duration.ofMinutes(6), Duration.ofMinutes(3),
                    new Fault.SyncStall(topology.jobs().get(2).jobId())));
        }
        if (topology.cdus().size() > 1) {
            list.add(new ScheduledFault(Duration.ofMinutes(10), Duration.ofMinutes(4),
                    new Fault.CduFlowLoss(topology.cdus().get(1).name())));
        }
        return new FaultScript(list);
    }
}
