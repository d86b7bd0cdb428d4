package io.fleetform.provider.host.provider;

import io.fleetform.provider.host.agent.AgentClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The local image ids a plan records ({@code image_id}) for images that have no registry digest: a tag
 * moved under a running fleet ({@code docker tag}, {@code docker import}) is then a change the plan shows
 * (the agent recreates a container whose image id differs), and apply refuses an id that moved since the
 * plan. Each host is asked once a plan, for every such image of the fleet.
 */
final class LocalImageIds {
    static final String ATTRIBUTE = "image_id";

    private final List<String> images;
    private final Function<String, AgentClient> agents;
    private final Map<String, Map<String, String>> byHost = new HashMap<>();

    /** @param images the fleet's image references without a digest */
    LocalImageIds(List<String> images, Function<String, AgentClient> agents) {
        this.images = List.copyOf(images);
        this.agents = agents;
    }

    /** True for a reference that names no content digest: what it runs is what the host's tag says now. */
    static boolean local(String image) {
        return image != null && !image.contains("@");
    }

    /** The id {@code image} names on {@code host} now; empty if the host lacks it or its agent cannot say. */
    Optional<String> of(String host, String image) {
        if (!local(image) || images.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> ids = byHost.computeIfAbsent(host, h -> {
            AgentClient agent = agents.apply(h);
            return agent == null ? Map.of() : agent.imageIds(images).orElse(Map.of());
        });
        return Optional.ofNullable(ids.get(image));
    }
}
