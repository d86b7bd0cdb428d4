package io.fleetform.provider.host.agent;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/images/ids}: the local image ids the references name on the host now, so a plan
 * sees a tag moved under a running fleet ({@code docker tag}, {@code docker import}) that no registry
 * digest would show.
 *
 * @param images the references asked about (body)
 * @param ids    by reference, the id it names; a reference the host does not have is absent (answer)
 */
public record ImageIds(List<String> images, Map<String, String> ids) {
    public ImageIds {
        images = images == null ? List.of() : List.copyOf(images);
        ids = ids == null ? Map.of() : Map.copyOf(ids);
        if (images.size() > 1000) {
            throw new IllegalArgumentException("at most 1000 images a request");
        }
    }

    public static ImageIds ask(List<String> images) {
        return new ImageIds(images, Map.of());
    }
}
