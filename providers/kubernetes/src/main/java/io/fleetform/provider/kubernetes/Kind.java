package io.fleetform.provider.kubernetes;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Kubernetes kinds Fleetform writes: their API group/version, their REST plural, and the
 * type word used in resource addresses ({@code k8s.CLUSTER.TYPE.NAMESPACE/NAME}).
 */
enum Kind {
    NAMESPACE("v1", "Namespace", "namespaces", false, "namespace", ""),
    CONFIGMAP("v1", "ConfigMap", "configmaps", true, "configmap", ""),
    SECRET("v1", "Secret", "secrets", true, "secret", ""),
    SERVICE("v1", "Service", "services", true, "service", ""),
    STATEFULSET("apps/v1", "StatefulSet", "statefulsets", true, "statefulset", ""),
    DEPLOYMENT("apps/v1", "Deployment", "deployments", true, "deployment", ""),
    NETWORK_ATTACHMENT("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", "network-attachment-definitions", true,
            "networkattachmentdefinition", "Multus (the NetworkAttachmentDefinition CRD)"),
    SRIOV_NODE_POLICY("sriovnetwork.openshift.io/v1", "SriovNetworkNodePolicy", "sriovnetworknodepolicies", true,
            "sriovnetworknodepolicy", "the SR-IOV Network Operator"),
    SRIOV_NETWORK("sriovnetwork.openshift.io/v1", "SriovNetwork", "sriovnetworks", true, "sriovnetwork",
            "the SR-IOV Network Operator"),
    CLONESET("apps.kruise.io/v1alpha1", "CloneSet", "clonesets", true, "cloneset", "OpenKruise"),
    ADVANCED_STATEFULSET("apps.kruise.io/v1beta1", "StatefulSet", "statefulsets", true, "advancedstatefulset",
            "OpenKruise"),
    GAMESERVERSET("game.kruise.io/v1alpha1", "GameServerSet", "gameserversets", true, "gameserverset",
            "OpenKruise kruise-game");

    final String apiVersion;
    final String kind;
    final String plural;
    final boolean namespaced;
    /** The address type word and, prefixed with {@code k8s_}, the resource type. */
    final String word;
    /** For kinds from a CustomResourceDefinition: what installs it; empty for built-in kinds. */
    final String crdFrom;

    Kind(String apiVersion, String kind, String plural, boolean namespaced, String word, String crdFrom) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.plural = plural;
        this.namespaced = namespaced;
        this.word = word;
        this.crdFrom = crdFrom;
    }

    String type() {
        return "k8s_" + word;
    }

    boolean isWorkload() {
        return this == STATEFULSET || this == DEPLOYMENT || this == CLONESET || this == ADVANCED_STATEFULSET
                || this == GAMESERVERSET;
    }

    boolean isCustom() {
        return !crdFrom.isEmpty();
    }

    /** The REST path of one object. */
    String path(String namespace, String name) {
        String base = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
        String ns = namespaced ? "/namespaces/" + namespace : "";
        return base + ns + "/" + plural + (name == null ? "" : "/" + name);
    }

    static Optional<Kind> ofType(String type) {
        return Arrays.stream(values()).filter(k -> k.type().equals(type)).findFirst();
    }

    static Optional<Kind> ofWord(String word) {
        return Arrays.stream(values()).filter(k -> k.word.equals(word)).findFirst();
    }
}
