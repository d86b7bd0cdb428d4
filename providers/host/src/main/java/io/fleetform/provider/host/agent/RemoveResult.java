package io.fleetform.provider.host.agent;

/**
 * Answer of {@code DELETE /v1/containers/{address}}.
 *
 * @param containerId the removed container
 * @param dataPath    the instance's data directory
 * @param dataPurged  whether that directory was deleted too ({@code ?purgeData=true}); otherwise it is kept
 * @param network     what became of the instance's Docker network (null without one: host or SR-IOV networking)
 */
public record RemoveResult(String address, String containerId, String dataPath, boolean dataPurged,
                           NetworkRemoval network) {
}
