package io.vigil.detection.facility;

import io.vigil.detection.alert.EntityTimeout;
import io.vigil.detection.alert.Episode;
import io.vigil.model.AlertEvent;

/**
 * What the facility detectors keep per device (a CDU, a rack's air, a PDU): its alert episode, its timeout, where
 * it is and the severity its open alert fired with. A Flink POJO.
 */
public class DeviceTrack {
    public Episode episode = new Episode();
    public EntityTimeout timeout = new EntityTimeout();
    public String cluster, device, row, rack;
    public AlertEvent.Severity severity;
}
