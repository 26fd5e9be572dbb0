package dev.freshet.serving;

import feast.proto.serving.ServingAPIProto.GetFeastServingInfoRequest;
import feast.proto.serving.ServingAPIProto.GetFeastServingInfoResponse;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesRequest;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesResponse;
import feast.proto.serving.ServingServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feast's {@code feast.serving.ServingService} over gRPC. As Feast's Java server ({@code
 * java/serving/src/main/java/feast/serving/grpc/OnlineServingGrpcServiceV2.java} at v0.38.0), every
 * failure is answered with status {@code INTERNAL} and the exception's message, so that an unknown
 * feature view reaches the client as {@code INTERNAL: Unable to find feature view with name: ...}.
 */
final class ServingServiceGrpcAdapter extends ServingServiceGrpc.ServingServiceImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(ServingServiceGrpcAdapter.class);

  /** Feast's Java server answers with an empty version; saying what serves is more useful. */
  static final String VERSION = "freshet-feature-server (Feast 0.38 ServingService)";

  private final OnlineFeatureService service;

  ServingServiceGrpcAdapter(OnlineFeatureService service) {
    this.service = service;
  }

  @Override
  public void getFeastServingInfo(
      GetFeastServingInfoRequest request,
      StreamObserver<GetFeastServingInfoResponse> responseObserver) {
    responseObserver.onNext(GetFeastServingInfoResponse.newBuilder().setVersion(VERSION).build());
    responseObserver.onCompleted();
  }

  @Override
  public void getOnlineFeatures(
      GetOnlineFeaturesRequest request,
      StreamObserver<GetOnlineFeaturesResponse> responseObserver) {
    CompletableFuture<GetOnlineFeaturesResponse> response;
    try {
      response = service.getOnlineFeatures(request);
    } catch (RuntimeException e) {
      fail(responseObserver, e);
      return;
    }
    response.whenComplete(
        (features, failure) -> {
          if (failure != null) {
            fail(responseObserver, unwrap(failure));
          } else {
            responseObserver.onNext(features);
            responseObserver.onCompleted();
          }
        });
  }

  private static void fail(StreamObserver<?> responseObserver, Throwable failure) {
    if (failure instanceof FeatureRequestException) {
      LOG.warn("Failed to get online features: {}", failure.getMessage());
    } else {
      LOG.warn("Failed to get online features", failure);
    }
    responseObserver.onError(
        Status.INTERNAL
            .withDescription(failure.getMessage())
            .withCause(failure)
            .asRuntimeException());
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
