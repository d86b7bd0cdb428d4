package io.fleetform.state.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fleetform.engine.state.StateException;

/** Every API call of the backend, so that an error names the verb, the resource and what the server said. */
final class KubeCalls {
    private KubeCalls() {
    }

    interface Call<T> {
        T run();
    }

    /** Thrown for an HTTP 409: someone else changed or created the object first. */
    static final class Conflict extends StateException {
        Conflict(String message) {
            super(message);
        }
    }

    static <T> T call(String verb, String resource, String namespace, String server, Call<T> call)
            throws StateException {
        try {
            return call.run();
        } catch (KubernetesClientException e) {
            String said = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage();
            if (e.getCode() == 409) {
                throw new Conflict(verb + " " + resource + " in namespace " + namespace + ": " + said);
            }
            if (e.getCode() == 403) {
                throw new StateException("the Kubernetes API at " + server + " forbids this backend to " + verb + " "
                        + resource + " in namespace " + namespace + " (" + said + "); give it the Role in the README's "
                        + "\"kubernetes state backend\" section", e);
            }
            if (e.getCode() == 0 || e.getCode() >= 500) {
                throw new StateException("cannot " + verb + " " + resource + " in namespace " + namespace + ": the "
                        + "Kubernetes API at " + server + " did not answer (" + said + ")", e);
            }
            throw new StateException("cannot " + verb + " " + resource + " in namespace " + namespace + ": " + said
                    + " (HTTP " + e.getCode() + " from " + server + ")", e);
        }
    }
}
