package io.fleetform.provider.kubernetes;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.LeftoversRequest;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The SR-IOV Network Operator's objects this fleet made in the operator's namespace and then lost track of (a
 * run killed between making and recording one, whose IDC or VF setting was removed since). That namespace is
 * shared with other fleets and with teams, and is never the fleet's own, so nothing else would find them: they
 * are listed by this fleet's label only, and what another fleet or a team made there is never seen.
 */
final class OperatorLeftovers {
    private static final List<Kind> KINDS = List.of(Kind.SRIOV_NODE_POLICY, Kind.SRIOV_NETWORK);

    private OperatorLeftovers() {
    }

    /**
     * @param owner      this fleet's {@value Manifests#FLEET_LABEL} value and identity: only what its state made
     * @param clusters   the connection attributes of each cluster the fleet uses or the state still has
     */
    @SuppressWarnings("unchecked")
    static List<ResourceState> find(KubernetesProvider provider, Ownership.Owner owner,
                                    Map<String, Map<String, Object>> clusters, LeftoversRequest request)
            throws ProviderException {
        Set<String> known = new HashSet<>();
        request.desired().forEach(a -> known.add(a.value()));
        request.recorded().forEach(r -> known.add(r.address().value()));
        String namespace = Settings.from(request.context().environment()).sriovNamespace();
        String selector = "?labelSelector=" + URLEncoder.encode(Manifests.FLEET_LABEL + "=" + owner.fleet(),
                StandardCharsets.UTF_8);
        List<ResourceState> found = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> cluster : clusters.entrySet()) {
            for (Kind kind : KINDS) {
                Map<String, Object> where = new TreeMap<>(cluster.getValue());
                where.put("metadata.namespace", namespace);
                String list = "k8s." + cluster.getKey() + "." + kind.word + "." + namespace;
                KubernetesProvider.Target t = provider.target(new ResourceAddress(list), kind.type(), where,
                        request.context());
                String path = kind.path(namespace, null) + selector;
                KubeApi.Response r = KubernetesProvider.call(t, "leftover scan (GET " + path + ")",
                        () -> t.api().get(path));
                if (r.code() == 404) {
                    continue; // the operator's CRDs are not there: nothing of this kind can be
                }
                if (!r.ok()) {
                    throw KubernetesProvider.failure(t, "leftover scan (GET " + path + ")", r);
                }
                for (Object o : (List<Object>) r.body().getOrDefault("items", List.of())) {
                    if (!(o instanceof Map<?, ?> raw) || !Ownership.madeBy((Map<String, Object>) raw, owner)) {
                        continue; // the selector said so; checked again, as everywhere before a delete
                    }
                    Map<String, Object> item = (Map<String, Object>) raw;
                    Map<?, ?> meta = (Map<?, ?>) item.get("metadata");
                    String name = String.valueOf(meta.get("name"));
                    String address = KubernetesProvider.address(cluster.getKey(), kind, namespace, name);
                    if (known.contains(address)) {
                        continue;
                    }
                    found.add(new ResourceState(new ResourceAddress(address), kind.type(), KubernetesProvider.NAME,
                            attributes(item, cluster.getValue()), Set.of(), List.of(), ResourceLifecycle.DEFAULT));
                }
            }
        }
        return found;
    }

    /** What a DELETE needs and the plan shows: the connection, identity, labels and spec, not the server's fields. */
    private static Map<String, Object> attributes(Map<String, Object> item, Map<String, Object> connection) {
        Map<String, Object> object = new LinkedHashMap<>(item);
        object.remove("status");
        Map<?, ?> meta = (Map<?, ?>) item.get("metadata");
        Map<String, Object> kept = new LinkedHashMap<>();
        for (String field : List.of("name", "namespace", "labels", "annotations")) {
            if (meta.get(field) != null) {
                kept.put(field, meta.get(field));
            }
        }
        object.put("metadata", kept);
        Map<String, Object> attributes = new TreeMap<>(Flat.flatten(object));
        attributes.putAll(connection);
        return attributes;
    }
}
