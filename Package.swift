// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "ncd",
    products: [
        .executable(name: "ncd", targets: ["ncd"]),
        .executable(name: "ncd-check-bench", targets: ["ncd-check-bench"]),
        .executable(name: "ncd-bench", targets: ["ncd-bench"]),
        .executable(name: "ncd-render-bench", targets: ["ncd-render-bench"]),
        .executable(name: "ncd-fuzz", targets: ["ncd-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Reads .npz training data (zip archives, stored or deflated), for `ncd train`.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Writes ONNX models (`ncd export --to onnx`) through the ONNX protobuf schema.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(name: "NCDSyntax"),
        .target(name: "NCDCore"),
        .target(name: "NCDCheck", dependencies: ["NCDSyntax", "NCDCore"]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .target(name: "CKernels"),
        .target(
            name: "NCDTensor", dependencies: ["COpenBLAS", "CMalloc", "CKernels"],
            // Lets clients specialise the generic kernels for Float (otherwise every element
            // goes through value witnesses: 10–20× slower).
            swiftSettings: [.unsafeFlags(["-cross-module-optimization", "-Xfrontend", "-enable-cmo-everything"])]),
        // Writing files whole or not at all, for every writer (outputs, weights, renders).
        .target(name: "NCDFiles"),
        .target(
            name: "NCDExec",
            dependencies: [
                "NCDCore", "NCDTensor", "NCDFiles", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        // `ncd export`: a checked diagram as a PyTorch module (and an ONNX model).
        .target(
            name: "NCDExport",
            dependencies: ["NCDCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        // Test support: runs exports against ncd in PyTorch and ONNX Runtime (interop tests,
        // differential testing).
        .target(
            name: "NCDInterop", dependencies: ["NCDExport", "NCDExec", "NCDCheck", "NCDSyntax", "NCDCore", "NCDTensor"]),
        // Random well-typed programs, checked, run and compared with their exports.
        .target(
            name: "NCDDifferential", dependencies: ["NCDInterop", "NCDCheck", "NCDSyntax", "NCDCore", "NCDTensor"]),
        .executableTarget(name: "ncd-difftest", dependencies: ["NCDDifferential", "NCDInterop"]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .target(name: "NCDRender", dependencies: ["NCDCore", "CCairo"]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .executableTarget(
            name: "ncd",
            dependencies: [
                "NCDSyntax", "NCDCore", "NCDCheck", "NCDExec", "NCDTensor", "NCDRender", "NCDFiles", "NCDExport",
                "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "ncd-check-bench", dependencies: ["NCDSyntax", "NCDCheck"]),
        .executableTarget(name: "ncd-bench", dependencies: ["NCDTensor"]),
        .executableTarget(name: "ncd-render-bench", dependencies: ["NCDSyntax", "NCDCheck", "NCDRender"]),
        // Fuzzing entry points (scripts/fuzz builds them with libFuzzer); plainly built, a replayer.
        .executableTarget(
            name: "ncd-fuzz", dependencies: ["NCDSyntax", "NCDCheck", "NCDExec", "NCDRender"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .testTarget(name: "NCDSyntaxTests", dependencies: ["NCDSyntax"]),
        .testTarget(name: "NCDCoreTests", dependencies: ["NCDCore"]),
        .testTarget(name: "NCDFilesTests", dependencies: ["NCDFiles"]),
        .testTarget(
            name: "NCDCheckTests", dependencies: ["NCDSyntax", "NCDCore", "NCDCheck"],
            resources: [.copy("cases")]),
        .testTarget(name: "ncdTests", dependencies: ["ncd", "NCDExec", "NCDTensor"]),
        .testTarget(name: "NCDTensorTests", dependencies: ["NCDTensor", "CMalloc"]),
        // interop/: the Python that runs the exports in PyTorch (and ONNX Runtime), read by path.
        .testTarget(
            name: "NCDExportTests",
            dependencies: [
                "NCDExport", "NCDExec", "NCDCheck", "NCDSyntax", "NCDCore", "NCDTensor", "NCDInterop",
                "NCDDifferential",
            ],
            exclude: ["interop"]),
        .testTarget(name: "NCDRenderTests", dependencies: ["NCDRender", "NCDCheck", "NCDSyntax", "NCDCore"]),
        // fixtures/: files PyTorch wrote (scripts/make-pytorch-fixture), read by path.
        .testTarget(
            name: "NCDExecTests", dependencies: ["NCDExec", "NCDCheck", "NCDSyntax", "NCDTensor"], exclude: ["fixtures"]
        ),
    ]
)
