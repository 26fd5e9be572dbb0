package dev.freshet.deploy;

/** A manifest the API server, the operator or kustomize would refuse or silently misread. */
final class InvalidManifestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  InvalidManifestException(String message) {
    super(message);
  }

  InvalidManifestException(String message, Throwable cause) {
    super(message, cause);
  }
}
