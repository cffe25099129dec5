// The analyzer protocol's modules, loaded from the copies of @pulumi/pulumi, google-protobuf and
// @grpc/grpc-js that the pack itself loads (resolved from its folder, as run-policy-pack is), so
// that messages pass the pack's `instanceof` checks.
import { createRequire } from "module";
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as enginePbTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import { PolicyPackError } from "./types";

export interface Protocol {
    grpc: typeof grpcTypes;
    struct: typeof structTypes;
    empty: typeof emptyTypes;
    analyzer: typeof analyzerPbTypes;
    analyzerGrpc: typeof analyzerGrpcTypes;
    engine: typeof enginePbTypes;
    engineGrpc: typeof engineGrpcTypes;
    /** The program the engine starts a Node.js pack with: @pulumi/pulumi/cmd/run-policy-pack. */
    runPolicyPack: string;
}

/** The protocol as the pack in `packDir` sees it. */
export function loadProtocol(packDir: string): Protocol {
    let pulumiPackage: string;
    try {
        pulumiPackage = createRequire(path.join(packDir, "package.json")).resolve("@pulumi/pulumi/package.json");
    } catch {
        throw new PolicyPackError(`${packDir}: cannot find @pulumi/pulumi from the policy pack; run npm install in it (or at the project root)`);
    }
    const req = createRequire(pulumiPackage);
    return {
        grpc: req("@grpc/grpc-js"),
        struct: req("google-protobuf/google/protobuf/struct_pb"),
        empty: req("google-protobuf/google/protobuf/empty_pb"),
        analyzer: req("./proto/analyzer_pb"),
        analyzerGrpc: req("./proto/analyzer_grpc_pb"),
        engine: req("./proto/engine_pb"),
        engineGrpc: req("./proto/engine_grpc_pb"),
        runPolicyPack: path.join(path.dirname(pulumiPackage), "cmd", "run-policy-pack"),
    };
}
