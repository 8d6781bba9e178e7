package io.vigil.collectors.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.collectors.redfish.RedfishClient.Deadline;
import io.vigil.collectors.redfish.RedfishClient.NotFound;
import io.vigil.collectors.redfish.RedfishClient.ResourceException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where a {@link RedfishSource} reads resources: a BMC over HTTP ({@link RedfishClient}, in production), or a tree
 * held in memory, for tests of the mapping alone that scrape thousands of variants of one tree.
 */
public interface RedfishService {

    /** The service's address, for names and logs. */
    URI base();

    /** The request timeout, which is also the default scrape deadline's unit. */
    Duration timeout();

    /** One resource by path (absolute, e.g. {@code /redfish/v1/Chassis}), by the deadline. */
    JsonNode get(String path, Deadline deadline) throws ResourceException, NotFound, InterruptedException;

    /** Every path, each result in order: a JSON node, or the {@link ResourceException} or {@link NotFound} it ended with. */
    List<Object> getAll(List<String> paths, Deadline deadline) throws InterruptedException;
}
