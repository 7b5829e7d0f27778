/** A simulated TGI server behind a Hugging Face Inference Endpoint, for the gateway's tests, demo and benchmarks. */
package io.infergate.sim;
