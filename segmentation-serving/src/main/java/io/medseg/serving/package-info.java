/**
 * {@code segment serve}: an inference service for a registry's production model. It speaks the Open Inference
 * Protocol (KServe's "V2" REST protocol, as Triton, KServe and Seldon do) and a DICOM endpoint of its own
 * ({@code POST /v1/segment}), batches requests that arrive close together, exports Prometheus metrics, compares the
 * drift features of incoming images with the package's reference profile as they arrive, checks bearer tokens,
 * writes an access log of every request, and swaps in a newly promoted version without failing a request.
 *
 * <p>Start one with {@link io.medseg.serving.ModelServer#start(ServerConfig)}; see {@code docs/serving.md}.
 */
package io.medseg.serving;
