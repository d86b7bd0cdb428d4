package io.fleetform.provider.kubernetes;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which live objects are this fleet's: those whose label {@value Manifests#FLEET_LABEL} is the
 * fleet's and whose annotation {@value Manifests#OWNER_ANNOTATION} is its identity ({@code
 * <fleet>.<lineage>}: two copies of a fleet with their own states are two owners; an object made
 * before the annotation existed has only the label). Fleetform reads, changes and deletes only
 * those; {@value Manifests#ADDRESS_ANNOTATION} says which resource an object is, so one made but
 * never recorded (a crash) is adopted by the next plan. A namespace carries the identity only when
 * this fleet created it.
 */
final class Ownership {
    private Ownership() {
    }

    /**
     * Whose objects are meant: the fleet label value and the identity ("" when not known: an object
     * recorded before the identity annotation existed, or offline).
     */
    record Owner(String fleet, String identity) {
        /** The owner a resource's attributes (desired, or as recorded) name. */
        static Owner of(Map<String, Object> attributes) {
            Object identity = attributes.get("metadata.annotations") instanceof Map<?, ?> annotations
                    ? annotations.get(Manifests.OWNER_ANNOTATION) : null;
            return new Owner(fleetOf(attributes), identity instanceof String s ? s : "");
        }
    }

    /** The fleet label value a resource's attributes carry ("" when none). */
    static String fleetOf(Map<String, Object> attributes) {
        return attributes.get("metadata.labels") instanceof Map<?, ?> labels
                && labels.get(Manifests.FLEET_LABEL) instanceof String s ? s : "";
    }

    /** The fleet label of a live object, if any. */
    static Optional<String> fleetOfLive(Map<String, Object> live) {
        return Optional.ofNullable(metadataMap(live, "labels").get(Manifests.FLEET_LABEL)).map(String::valueOf);
    }

    /** The address annotation of a live object, if any. */
    static Optional<String> addressOfLive(Map<String, Object> live) {
        return Optional.ofNullable(metadataMap(live, "annotations").get(Manifests.ADDRESS_ANNOTATION))
                .map(String::valueOf);
    }

    /** The identity annotation of a live object, if any. */
    static Optional<String> identityOfLive(Map<String, Object> live) {
        return Optional.ofNullable(metadataMap(live, "annotations").get(Manifests.OWNER_ANNOTATION))
                .map(String::valueOf);
    }

    /** Whether the object carries the owner's fleet label and, where both say one, the owner's identity. */
    static boolean ours(Map<String, Object> live, Owner owner) {
        if (owner.fleet().isEmpty() || fleetOfLive(live).filter(owner.fleet()::equals).isEmpty()) {
            return false;
        }
        Optional<String> identity = identityOfLive(live);
        return owner.identity().isEmpty() || identity.isEmpty() || identity.get().equals(owner.identity());
    }

    /**
     * Whether the object was made by the owner's state: its fleet label and its identity (an object with the label
     * alone may be one whose labels a user copied). What is adopted without being recorded must pass this.
     */
    static boolean madeBy(Map<String, Object> live, Owner owner) {
        return ours(live, owner) && (owner.identity().isEmpty() || identityOfLive(live).isPresent());
    }

    /** "no fleetform.io/fleet label", "…=other, another fleet's" or another state's: whose an object is, for messages. */
    static String whose(Map<String, Object> live, Owner owner) {
        Optional<String> fleet = fleetOfLive(live);
        if (fleet.isEmpty()) {
            return "it has no " + Manifests.FLEET_LABEL + " label";
        }
        if (fleet.get().equals(owner.fleet()) && identityOfLive(live).isEmpty()) {
            return "it carries " + Manifests.FLEET_LABEL + "=" + fleet.get() + " but no " + Manifests.OWNER_ANNOTATION
                    + " annotation: this fleet's state did not make it (labels copied onto it?)";
        }
        if (fleet.get().equals(owner.fleet())) {
            return "it carries " + Manifests.FLEET_LABEL + "=" + fleet.get() + " but " + Manifests.OWNER_ANNOTATION + "="
                    + identityOfLive(live).get() + ", another state's: a copy of this fleet with its own state made it";
        }
        return "it carries " + Manifests.FLEET_LABEL + "=" + fleet.get() + ", another fleet's";
    }

    static Map<?, ?> metadataMap(Map<String, Object> live, String field) {
        if (live.get("metadata") instanceof Map<?, ?> meta && meta.get(field) instanceof Map<?, ?> m) {
            return m;
        }
        return Map.of();
    }

    /**
     * What a namespace holds, by whose it is: {@code foreign} objects (not carrying this fleet's
     * label), this fleet's data PVCs ({@code keptData}, which survive destroy) and this fleet's
     * other objects. Objects with an owner reference go with their owner (pods, ReplicaSets,
     * EndpointSlices); events, Endpoints and what Kubernetes puts in every namespace (the
     * {@code default} ServiceAccount and its token, {@code kube-root-ca.crt}) are not counted.
     */
    record Contents(List<String> foreign, List<String> keptData, List<String> ours) {
        boolean empty() {
            return foreign.isEmpty() && keptData.isEmpty() && ours.isEmpty();
        }

        /** Why a namespace stays, or "" when nothing keeps it. */
        String whyItStays() {
            List<String> parts = new ArrayList<>();
            if (!foreign.isEmpty()) {
                parts.add("it holds objects not made by this fleet: " + some(foreign));
            }
            if (!keptData.isEmpty()) {
                parts.add("it holds this fleet's data PVCs, which survive destroy: " + some(keptData));
            }
            return String.join("; and ", parts);
        }

        private static String some(List<String> names) {
            int shown = Math.min(10, names.size());
            return String.join(", ", names.subList(0, shown))
                    + (names.size() > shown ? " and " + (names.size() - shown) + " more" : "");
        }
    }

    private static final Set<String> NOT_COUNTED = Set.of("events", "endpoints", "bindings");

    /** Lists everything in the namespace that the API server can list, through discovery. */
    @SuppressWarnings("unchecked")
    static Contents contents(KubeApi api, String namespace, Owner fleet) throws KubeApi.Unreachable, Failed {
        return contents(api, namespace, fleet, n -> false);
    }

    /** What the SR-IOV Network Operator puts on the NetworkAttachmentDefinition it makes for a SriovNetwork. */
    static final String OPERATOR_OWNER = "sriovnetwork.openshift.io/owner-ref";

    /**
     * @param sriovNetworks whether a SriovNetwork ({@code namespace/name}) is this fleet's: the NetworkAttachmentDefinition the
     *                      operator makes for one of them (it names its owner in {@link #OPERATOR_OWNER}: an owner
     *                      reference cannot cross namespaces) is the fleet's, so it does not keep the namespace
     */
    static Contents contents(KubeApi api, String namespace, Owner fleet,
                             java.util.function.Predicate<String> sriovNetworks)
            throws KubeApi.Unreachable, Failed {
        List<String> versions = new ArrayList<>();
        versions.add("/api/v1");
        KubeApi.Response groups = api.get("/apis");
        if (!groups.ok()) {
            throw new Failed("GET /apis", groups);
        }
        for (Object g : (List<Object>) groups.body().getOrDefault("groups", List.of())) {
            if (g instanceof Map<?, ?> group && group.get("preferredVersion") instanceof Map<?, ?> preferred) {
                versions.add("/apis/" + preferred.get("groupVersion"));
            }
        }
        List<String> foreign = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> own = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        for (String version : versions) {
            KubeApi.Response resources = api.get(version);
            if (!resources.ok()) {
                continue; // an aggregated API that is down: nothing Fleetform made lives there
            }
            for (Object r : (List<Object>) resources.body().getOrDefault("resources", List.of())) {
                if (!(r instanceof Map<?, ?> resource) || !Boolean.TRUE.equals(resource.get("namespaced"))) {
                    continue;
                }
                String plural = String.valueOf(resource.get("name"));
                boolean listable = resource.get("verbs") instanceof List<?> verbs && verbs.contains("list");
                if (!listable || plural.contains("/") || NOT_COUNTED.contains(plural)) {
                    continue;
                }
                String path = version + "/namespaces/" + URLEncoder.encode(namespace, StandardCharsets.UTF_8) + "/"
                        + plural;
                KubeApi.Response list = api.get(path);
                if (!list.ok()) {
                    continue;
                }
                for (Object o : (List<Object>) list.body().getOrDefault("items", List.of())) {
                    if (!(o instanceof Map<?, ?> raw)) {
                        continue;
                    }
                    Map<String, Object> item = (Map<String, Object>) raw;
                    Map<?, ?> meta = item.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
                    if (!seen.add(meta.get("uid")) || meta.get("ownerReferences") instanceof List<?> owners
                            && !owners.isEmpty()) {
                        continue;
                    }
                    String kind = String.valueOf(resource.get("kind"));
                    String name = String.valueOf(meta.get("name"));
                    if (madeByKubernetes(kind, name, item)) {
                        continue;
                    }
                    String described = kind + " " + name;
                    // A data PVC has the labels the StatefulSet controller copies, never the identity; anything else
                    // with the fleet label alone may be a user's object with copied labels: it keeps the namespace.
                    boolean pvc = kind.equals("PersistentVolumeClaim");
                    if (pvc ? ours(item, fleet) : madeBy(item, fleet) || madeByTheOperatorFor(kind, item, sriovNetworks)) {
                        (pvc ? kept : own).add(described);
                    } else {
                        foreign.add(described);
                    }
                }
            }
        }
        return new Contents(List.copyOf(foreign), List.copyOf(kept), List.copyOf(own));
    }

    /**
     * A NetworkAttachmentDefinition the SR-IOV Network Operator made for one of the fleet's SriovNetworks: its owner
     * annotation names it exactly ({@code SriovNetwork.sriovnetwork.openshift.io/<namespace>/<name>}).
     */
    static boolean madeByTheOperatorFor(String kind, Map<String, Object> item,
                                        java.util.function.Predicate<String> sriovNetworks) {
        if (!Kind.NETWORK_ATTACHMENT.kind.equals(kind)) {
            return false;
        }
        Object owner = metadataMap(item, "annotations").get(OPERATOR_OWNER);
        String prefix = Kind.SRIOV_NETWORK.kind + "." + Kind.SRIOV_NETWORK.apiVersion.replaceAll("/.*", "") + "/";
        return owner instanceof String s && s.startsWith(prefix) && sriovNetworks.test(s.substring(prefix.length()));
    }

    private static boolean madeByKubernetes(String kind, String name, Map<String, Object> item) {
        if (kind.equals("ConfigMap") && name.equals("kube-root-ca.crt")) {
            return true;
        }
        if (kind.equals("ServiceAccount") && name.equals("default")) {
            return true;
        }
        return kind.equals("Secret") && "kubernetes.io/service-account-token".equals(item.get("type"))
                && metadataMap(item, "annotations").get("kubernetes.io/service-account.name") instanceof String sa
                && sa.equals("default");
    }

    /** The PVCs of one of this fleet's workloads (by its selector's labels), by name. */
    @SuppressWarnings("unchecked")
    static List<String> dataClaims(KubeApi api, String namespace, String instance, String fleet)
            throws KubeApi.Unreachable {
        String selector = URLEncoder.encode("app.kubernetes.io/instance=" + instance + "," + Manifests.FLEET_LABEL + "="
                + fleet, StandardCharsets.UTF_8);
        KubeApi.Response r = api.get("/api/v1/namespaces/" + namespace + "/persistentvolumeclaims?labelSelector="
                + selector);
        List<String> names = new ArrayList<>();
        if (r.ok()) {
            for (Object o : (List<Object>) r.body().getOrDefault("items", List.of())) {
                if (o instanceof Map<?, ?> item && item.get("metadata") instanceof Map<?, ?> meta) {
                    names.add(String.valueOf(meta.get("name")));
                }
            }
        }
        return names;
    }

    /** An answer of the API server that is not a success, while looking at what a namespace holds. */
    static final class Failed extends Exception {
        final KubeApi.Response response;

        Failed(String call, KubeApi.Response response) {
            super(call + " answered HTTP " + response.code() + ": " + response.message());
            this.response = response;
        }
    }
}
