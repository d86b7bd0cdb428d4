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
 * plan. Each host is asked once a plan, for every such image of the fleet and for every image it must
 * already have (no pre-pull): the agent starts only images its host has, so the plan says so before apply
 * would fail.
 */
final class LocalImageIds {
    static final String ATTRIBUTE = "image_id";

    private final List<String> images;
    private final Function<String, AgentClient> agents;
    /** By host, the ids its agent named; empty when the agent cannot say (an agent without the call). */
    private final Map<String, Optional<Map<String, String>>> byHost = new HashMap<>();

    /**
     * @param images the fleet's image references to ask about: those without a digest and those no
     *               pre-pull brings
     */
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
        if (!local(image)) {
            return Optional.empty();
        }
        return answer(host).map(ids -> ids.get(image));
    }

    /** True only when {@code host}'s agent answered and has no image {@code image} names. */
    boolean lacks(String host, String image) {
        return image != null && images.contains(image) && answer(host).map(ids -> !ids.containsKey(image))
                .orElse(false);
    }

    private Optional<Map<String, String>> answer(String host) {
        if (images.isEmpty()) {
            return Optional.empty();
        }
        return byHost.computeIfAbsent(host, h -> {
            AgentClient agent = agents.apply(h);
            return agent == null ? Optional.empty() : agent.imageIds(images);
        });
    }
}
