#!/usr/bin/env python3
"""An OTLP/gRPC trace receiver for ferrochat's tests (tests/it/otlp.rs).

Serves the OpenTelemetry collector's TraceService on 127.0.0.1 (port 0
unless given), as the official `opentelemetry-proto` package generates
it, and prints one JSON line per span it receives to stdout: its
service, name, trace and span ids, parent and links. The first line is
`{"listening": PORT}`. It stops on SIGTERM or when stdin closes.
With `--count` it prints no span, only `{"spans": N}` when it stops (for
benchmarks: docs/benchmarks.md, "Tracing over OTLP").

Why this and not a collector: no OpenTelemetry Collector or Jaeger is
packaged on Debian, PyPI, npm or crates.io, and this is the protocol's
own generated server, not ferrochat's exporter code on both ends.
`scripts/services up` installs it in a venv of its own (pinned).
"""

import json
import sys
import threading
from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import (
    trace_service_pb2,
    trace_service_pb2_grpc,
)

LOCK = threading.Lock()
COUNT_ONLY = "--count" in sys.argv
RECEIVED = [0]


def attribute(attributes, key):
    for a in attributes:
        if a.key == key:
            return a.value.string_value
    return ""


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    def Export(self, request, context):
        if COUNT_ONLY:
            spans = sum(
                len(scope_spans.spans)
                for resource_spans in request.resource_spans
                for scope_spans in resource_spans.scope_spans
            )
            with LOCK:
                RECEIVED[0] += spans
            return trace_service_pb2.ExportTraceServiceResponse()
        lines = []
        for resource_spans in request.resource_spans:
            service = attribute(resource_spans.resource.attributes, "service.name")
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    lines.append(
                        json.dumps(
                            {
                                "service": service,
                                "name": span.name,
                                "trace_id": span.trace_id.hex(),
                                "span_id": span.span_id.hex(),
                                "parent_span_id": span.parent_span_id.hex(),
                                "links": [link.trace_id.hex() for link in span.links],
                            }
                        )
                    )
        with LOCK:
            for line in lines:
                sys.stdout.write(line + "\n")
            sys.stdout.flush()
        return trace_service_pb2.ExportTraceServiceResponse()


def main():
    args = [a for a in sys.argv[1:] if a != "--count"]
    port = int(args[0]) if args else 0
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Receiver(), server)
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    with LOCK:
        sys.stdout.write(json.dumps({"listening": bound}) + "\n")
        sys.stdout.flush()
    # The test that started it holds stdin: its end is ours.
    sys.stdin.read()
    server.stop(grace=1)
    if COUNT_ONLY:
        sys.stdout.write(json.dumps({"spans": RECEIVED[0]}) + "\n")


if __name__ == "__main__":
    main()
