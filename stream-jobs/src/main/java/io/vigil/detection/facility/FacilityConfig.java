package io.vigil.detection.facility;

import java.io.Serializable;
import java.time.Duration;

/**
 * Parameters of the cooling and power detectors.
 *
 * @param fireSamples        consecutive bad samples that fire (a leak fires at once)
 * @param resolveSamples     consecutive good samples that resolve
 * @param warmupSamples      samples a CDU's usual flow, pressure and supply temperature are learned over first
 * @param flowLossFraction   flow under this share of the CDU's usual flow is a flow loss
 * @param pressureLossFraction differential pressure under this share of usual is a pressure loss
 * @param supplyRiseC        supply temperature this far over its usual (the set-point it holds) is too warm
 * @param supplyMaxC         supply temperature over this is too warm whatever the history
 * @param inletAirMaxC       rack or chassis inlet air over this (ASHRAE's recommended 27 °C) is too warm
 * @param pduWarnFraction    a rack PDU over this share of its capacity is near its limit (WARNING)
 * @param pduCriticalFraction ... and over this, CRITICAL
 * @param entityTimeout      a device silent this long is forgotten
 */
public record FacilityConfig(int fireSamples, int resolveSamples, int warmupSamples, double flowLossFraction,
                             double pressureLossFraction, double supplyRiseC, double supplyMaxC, double inletAirMaxC,
                             double pduWarnFraction, double pduCriticalFraction, Duration entityTimeout)
        implements Serializable {

    public FacilityConfig {
        if (fireSamples < 1 || resolveSamples < 1) throw new IllegalArgumentException("facility: sample counts must be >= 1");
        if (flowLossFraction <= 0 || flowLossFraction >= 1) throw new IllegalArgumentException("cooling.flow-loss-fraction must be in (0, 1)");
        if (pduWarnFraction <= 0 || pduWarnFraction > pduCriticalFraction) {
            throw new IllegalArgumentException("power: need 0 < pdu-warn-fraction <= pdu-critical-fraction");
        }
    }

    public static FacilityConfig defaults() {
        return new FacilityConfig(3, 10, 10, 0.7, 0.7, 5.0, 45.0, 27.0, 0.9, 0.97, Duration.ofMinutes(10));
    }
}
